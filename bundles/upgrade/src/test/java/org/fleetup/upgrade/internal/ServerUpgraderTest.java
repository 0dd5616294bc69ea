package org.fleetup.upgrade.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.comparison.Planner;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inspection.Inspector;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;
import org.fleetup.api.transport.Transport;
import org.fleetup.api.transport.TransportRegistry;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole upgrade of one server over real SSH. The inspection and the comparison are stood in for by the
 * smallest honest versions of themselves (a {@code cat} of VERSION, a numeric dotted comparison): their own modules
 * test the real ones.
 */
class ServerUpgraderTest {

    private static final ProductProfile PROFILE = new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app",
            "cat current/VERSION", "current/bin/demo-app --version", "semantic");

    @TempDir
    Path temp;

    private SimulatedFleet fleet;
    private SshTransport transport;
    private Path archive;
    private Release release;
    private final List<StepEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        fleet = new SimulatedFleet(temp.resolve("fleet"));
        transport = new SshTransport(SshSettings.defaults(), fleet.trust());
        archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        release = Archives.release("2.0.0", archive);
    }

    @AfterEach
    void stop() {
        transport.close();
        fleet.close();
    }

    @Test
    void olderServerIsUpgradedAndConfirmedByInspection() {
        SimulatedHost host = host("1.4.2");

        ServerOutcome outcome = upgrader(registry()).upgrade("rollout-7", fleet.server(host), release, false,
                events::add);

        assertThat(outcome).isEqualTo(new ServerOutcome(host.name(), StepState.DONE, "1.4.2", "2.0.0",
                "upgraded from 1.4.2 to 2.0.0 (verified)"));
        assertThat(events.get(0).state()).isEqualTo(StepState.CONNECTING);
        assertThat(events.get(events.size() - 1).state()).isEqualTo(StepState.DONE);
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/2.0.0");
    }

    /** The confirmation is what makes "verified" true: an inspection after the switch that disagrees rolls back. */
    @Test
    void upgradeWhoseConfirmingInspectionDisagreesIsRolledBack() {
        SimulatedHost host = host("1.4.2");
        Inspector staleAfterTheSwitch = new VersionFileInspector() {
            private int calls;

            // It reads over a session only: the confirmation asks in a round trip of its own.
            @Override
            public Optional<String> command(Server server, String product) {
                return Optional.empty();
            }

            @Override
            public Inspection inspect(Session session, Server server, String product) {
                Inspection read = super.inspect(session, server, product);
                return ++calls == 1 ? read : new Inspection(read.server(), product, Inspection.Status.OK, "1.4.2",
                        null, read.at(), read.took());
            }
        };
        ServerUpgrader upgrader = new ServerUpgrader(registry(), staleAfterTheSwitch, new DottedPlanner(),
                new FixedProfiles(), new OneReleaseStore(archive), config(30, 3));

        ServerOutcome outcome = upgrader.upgrade("rollout-7", fleet.server(host), release, false, events::add);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).contains("inspection after the switch read 1.4.2, expected 2.0.0");
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/1.4.2");
        assertThat(ApplicationDirectory.of(host).path().resolve("releases/2.0.0")).doesNotExist();
    }

    /**
     * An upgrade in three commands: the inspection with the install's first look; the upload as the input of the
     * command that makes the missing staging directory, checks the sum and unpacks; and the unit, which tidies and
     * reads the version the plan reads in its own round trip. No SFTP channel: no call but commands.
     */
    @Test
    void aVerifiedUpgradeConfirmsInTheUnitsRoundTrip() {
        SimulatedHost host = host("1.4.2");
        List<String> commands = new CopyOnWriteArrayList<>();

        ServerOutcome outcome = upgrader(counting(commands)).upgrade("rollout-7", fleet.server(host), release, false,
                events::add);

        assertThat(outcome.detail()).isEqualTo("upgraded from 1.4.2 to 2.0.0 (verified)");
        assertThat(commands).as("commands sent").hasSize(3);
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/2.0.0");
        assertThat(ApplicationDirectory.of(host).leftovers()).isEmpty();
    }

    /**
     * A server with no staging directory gets it made in the upload's channel, on record before it is made, in the
     * same journal entry as the staging file; what the unpacking made goes with the unit's entry: five writes for the
     * upgrade (where the previous release stood, the staging directory with the staged file, the scratch directory,
     * the unit with what was made, the unit's end), none for directories alone (seven before).
     */
    @Test
    void aMissingStagingDirectoryIsOnRecordWithTheStagedFileBeforeItIsMade() {
        SimulatedHost host = host("1.4.2");
        Path stagingDirectory = ApplicationDirectory.of(host).path().resolve("staging");
        assertThat(stagingDirectory).doesNotExist();
        Journal memory = Journal.inMemory();
        List<Map<String, String>> writes = new CopyOnWriteArrayList<>();
        List<Boolean> madeWhenWritten = new CopyOnWriteArrayList<>();
        Journal counting = new Journal() {
            @Override
            public Map<String, String> entries() {
                return memory.entries();
            }

            @Override
            public void record(StepState step, String detail, Map<String, String> changes) {
                writes.add(Map.copyOf(changes));
                madeWhenWritten.add(Files.exists(stagingDirectory));
                memory.record(step, detail, changes);
            }
        };

        ServerOutcome outcome = upgrader(registry()).upgrade("rollout-7", fleet.server(host), release, false,
                events::add, counting);

        assertThat(outcome.detail()).isEqualTo("upgraded from 1.4.2 to 2.0.0 (verified)");
        assertThat(writes).as("journal writes: the staged file with what was read before it, the unit, its end")
                .hasSize(3);
        int staged = writes.indexOf(writes.stream().filter(w -> w.containsKey(JournalKeys.STAGING)).findFirst()
                .orElseThrow());
        assertThat(staged).as("nothing is changed on the server before the first write").isZero();
        assertThat(writes.get(staged)).containsEntry(JournalKeys.PREVIOUS_VERSION, "1.4.2")
                .containsKeys(JournalKeys.PREVIOUS_TARGET, JournalKeys.SCRATCH);
        assertThat(writes.get(staged).get(JournalKeys.CREATED)).endsWith("/staging");
        assertThat(madeWhenWritten.get(staged)).as("staging made only after it was on record").isFalse();
        Map<String, String> unit = writes.stream().filter(w -> w.containsKey(JournalKeys.UNIT)).findFirst()
                .orElseThrow();
        assertThat(unit.get(JournalKeys.CREATED)).contains("/staging").contains("/" + SwitchUnit.DIRECTORY);
        assertThat(stagingDirectory).isDirectory();
    }

    /** What rode along with the unit is judged as the inspection would be: a disagreement rolls back. */
    @Test
    void aConfirmationReadInTheUnitsRoundTripThatDisagreesRollsBack() {
        SimulatedHost host = host("1.4.2");
        Inspector staleInTheUnitsRoundTrip = new VersionFileInspector() {
            @Override
            public Inspection read(Server server, String product, CommandResult printed) {
                Inspection read = super.read(server, product, printed);
                return new Inspection(read.server(), product, Inspection.Status.OK, "1.4.2", null, read.at(),
                        read.took());
            }
        };
        ServerOutcome outcome = new ServerUpgrader(registry(), staleInTheUnitsRoundTrip, new DottedPlanner(),
                new FixedProfiles(), new OneReleaseStore(archive), config(30, 3))
                .upgrade("rollout-7", fleet.server(host), release, false, events::add);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).contains("inspection after the switch read 1.4.2, expected 2.0.0");
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/1.4.2");
    }

    /** An answer with no version in it (as when output is lost) is asked for again over the session before it counts. */
    @Test
    void aConfirmationThatPrintedNothingIsAskedAgainAndConfirms() {
        SimulatedHost host = host("1.4.2");
        List<String> commands = new CopyOnWriteArrayList<>();
        Inspector lostInTheUnitsRoundTrip = new VersionFileInspector() {
            @Override
            public Inspection read(Server server, String product, CommandResult printed) {
                return super.read(server, product, new CommandResult(0, "", ""));
            }
        };
        ServerOutcome outcome = new ServerUpgrader(counting(commands), lostInTheUnitsRoundTrip, new DottedPlanner(),
                new FixedProfiles(), new OneReleaseStore(archive), config(30, 3))
                .upgrade("rollout-7", fleet.server(host), release, false, events::add);

        assertThat(outcome.detail()).isEqualTo("upgraded from 1.4.2 to 2.0.0 (verified)");
        // Every answer read empty: the inspection, which rode with the first look, and the confirmation.
        assertThat(commands).as("the inspection and the confirmation asked once more each").hasSize(5);
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/2.0.0");
    }

    @Test
    void serverWithNothingInstalledGetsTheReleaseAsItsFirst() throws IOException {
        SimulatedHost host = host(null);

        ServerOutcome outcome = upgrader(registry()).upgrade("rollout-7", fleet.server(host), release, false,
                events::add);

        assertThat(outcome).isEqualTo(new ServerOutcome(host.name(), StepState.DONE, null, "2.0.0",
                "installed 2.0.0 (verified); no release ran before"));
        assertThat(outcome.state().outcome()).isEqualTo("upgraded");
        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.answer()).isEqualTo("2.0.0");
        assertThat(Files.readString(app.release("2.0.0").resolve("MANIFEST.sha256")))
                .isEqualTo(Archives.read(archive, "MANIFEST.sha256"));
        assertThat(app.filesNotMatchingTheirManifest("2.0.0")).isEmpty();
        assertThat(app.leftovers()).isEmpty();
    }

    @Test
    void firstInstallFailingItsHealthCheckLeavesTheServerAsItWas() {
        SimulatedHost host = host(null);
        Path liar = Archives.writeWithManifest(temp.resolve("liar.tar.gz"), Archives.demoFiles("2.0.0", "1.9.9"),
                false);

        ServerOutcome outcome = new ServerUpgrader(registry(), new VersionFileInspector(), new DottedPlanner(),
                new FixedProfiles(), new OneReleaseStore(liar), config(30, 3))
                .upgrade("rollout-7", fleet.server(host), Archives.release("2.0.0", liar), false, events::add);

        assertThat(outcome.state()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).startsWith("health check printed '1.9.9', expected 2.0.0; no release ran before");
        assertThat(host.root()).isEmptyDirectory();
    }

    @Test
    void serverRunningTheReleaseIsSkippedUntouched() {
        SimulatedHost host = host("2.0.0");

        ServerOutcome outcome = upgrader(registry()).upgrade("rollout-7", fleet.server(host), release, false,
                events::add);

        assertThat(outcome.state()).isEqualTo(StepState.SKIPPED);
        assertThat(outcome.detail()).isEqualTo("runs 2.0.0 already");
        assertThat(events).extracting(StepEvent::state).containsExactly(StepState.CONNECTING, StepState.SKIPPED);
        assertThat(ApplicationDirectory.of(host).path().resolve("staging")).doesNotExist();
    }

    /**
     * The new release runs, but the unit that switched to it died before its health check ended (the server went
     * down under it): it is checked and confirmed, never skipped as current.
     */
    @Test
    void serverFoundOnTheNewReleaseWithNoVerifiedHealthRecordIsCheckedNotSkipped() throws IOException {
        SimulatedHost host = host("1.4.2");
        ApplicationDirectory app = ApplicationDirectory.of(host);
        switchedByAUnitThatDied(host, app);

        ServerOutcome outcome = upgrader(registry()).upgrade("rollout-7", fleet.server(host), release, false,
                events::add);

        assertThat(outcome).isEqualTo(new ServerOutcome(host.name(), StepState.DONE, "1.4.2", "2.0.0",
                "upgraded from 1.4.2 to 2.0.0 (verified)"));
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(unitJournalsSaying(app, "switched-healthy")).hasSize(1);
        assertThat(app.leftovers()).isEmpty();
    }

    @Test
    void serverFoundOnAnUnverifiedReleaseThatFailsItsCheckIsRolledBackToThePreviousOne() throws IOException {
        SimulatedHost host = host("1.4.2");
        ApplicationDirectory app = ApplicationDirectory.of(host);
        Path liar = Archives.writeWithManifest(temp.resolve("liar.tar.gz"), Archives.demoFiles("2.0.0", "1.9.9"),
                false);
        switchedByAUnitThatDied(host, app);

        ServerOutcome outcome = new ServerUpgrader(registry(), new VersionFileInspector(), new DottedPlanner(),
                new FixedProfiles(), new OneReleaseStore(liar), config(30, 3))
                .upgrade("rollout-7", fleet.server(host), Archives.release("2.0.0", liar), false, events::add);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).startsWith("health check printed '1.9.9', expected 2.0.0; rolled back to 1.4.2");
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.answer()).isEqualTo("1.4.2");
        assertThat(app.release("2.0.0")).doesNotExist();
    }

    @Test
    void serverFoundOnAnUnverifiedReleaseIsCheckedAndRolledBackEvenWhileBusy() throws IOException {
        SimulatedHost host = host("1.4.2");
        ApplicationDirectory app = ApplicationDirectory.of(host);
        Path liar = Archives.writeWithManifest(temp.resolve("liar.tar.gz"), Archives.demoFiles("2.0.0", "1.9.9"),
                false);
        switchedByAUnitThatDied(host, app);
        Files.writeString(app.path().resolve(".busy"), "maintenance\n");

        ServerOutcome outcome = new ServerUpgrader(registry(), new VersionFileInspector(), new DottedPlanner(),
                new FixedProfiles(), new OneReleaseStore(liar), config(30, 3, 0))
                .upgrade("rollout-7", fleet.server(host), Archives.release("2.0.0", liar), false, events::add);

        // Leaving it "not installable" would leave the unverified release running: it is checked, busy or not.
        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.answer()).isEqualTo("1.4.2");
    }

    @Test
    void serverOnTheNewReleaseWhoseUnitEndedHealthyIsSkipped() throws IOException {
        SimulatedHost host = host("1.4.2");
        ApplicationDirectory app = ApplicationDirectory.of(host);
        switchedByAUnitThatDied(host, app);
        Files.writeString(app.path().resolve(SwitchUnit.journal("died")), "health ok\nswitched-healthy\n",
                java.nio.file.StandardOpenOption.APPEND);

        ServerOutcome outcome = upgrader(registry()).upgrade("rollout-7", fleet.server(host), release, false,
                events::add);

        assertThat(outcome.state()).isEqualTo(StepState.SKIPPED);
        assertThat(app.path().resolve("staging")).doesNotExist();
    }

    // As a unit leaves it when the server goes down between its switch and its health check.
    private static void switchedByAUnitThatDied(SimulatedHost host, ApplicationDirectory app) throws IOException {
        DemoApplication.install(host.root(), "2.0.0");
        Files.createDirectories(app.path().resolve(SwitchUnit.DIRECTORY));
        Files.writeString(app.path().resolve(SwitchUnit.journal("died")),
                "pid 99999999\nprevious releases/1.4.2\nswitched releases/2.0.0\n");
    }

    private static List<Path> unitJournalsSaying(ApplicationDirectory app, String line) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(app.path().resolve(SwitchUnit.DIRECTORY))) {
            return files.filter(p -> p.toString().endsWith(".journal")).filter(p -> {
                try {
                    return Files.readAllLines(p).contains(line);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }

    @Test
    void serverRefusingConnectionsIsAFailedOutcome() {
        SimulatedHost host = host("1.4.2", Fault.REFUSE_CONNECTIONS);

        ServerOutcome outcome = upgrader(registry()).upgrade("rollout-7", fleet.server(host), release, false,
                events::add);

        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).isNotBlank();
        assertThat(events).extracting(StepEvent::state).containsExactly(StepState.CONNECTING, StepState.FAILED);
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/1.4.2");
    }

    @Test
    void missingTransportIsAFailedOutcomeNotAnException() {
        SimulatedHost host = host("1.4.2");
        TransportRegistry none = new TransportRegistry() {
            @Override
            public Transport transportFor(URI address) {
                throw new FleetupException(FleetupException.TRANSPORT_MISSING,
                        "no transport for scheme " + address.getScheme());
            }

            @Override
            public Map<String, String> schemes() {
                return Map.of();
            }
        };

        ServerOutcome outcome = upgrader(none).upgrade("rollout-7", fleet.server(host), release, false, events::add);

        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).isEqualTo("no transport for scheme ssh");
    }

    private SimulatedHost host(String version, Fault... faults) {
        return fleet.start("up", List.of(new HostSpec(version, Set.of(faults)))).get(0);
    }

    private ServerUpgrader upgrader(TransportRegistry registry) {
        return new ServerUpgrader(registry, new VersionFileInspector(), new DottedPlanner(), new FixedProfiles(),
                new OneReleaseStore(archive), config(30, 3));
    }

    private TransportRegistry registry() {
        return registry(server -> transport.connect(server));
    }

    /** Every command sent over any session of {@code ssh}, in order, and the name of any other work (an upload). */
    private TransportRegistry counting(List<String> commands) {
        return registry(server -> {
            Session session = transport.connect(server);
            return (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("execute")) {
                            commands.add((String) args[0]);
                        } else if (!List.of("server", "isOpen", "close").contains(method.getName())) {
                            commands.add(method.getName());
                        }
                        try {
                            return method.invoke(session, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        });
    }

    private static TransportRegistry registry(Transport ssh) {
        return new TransportRegistry() {
            @Override
            public Transport transportFor(URI address) {
                return ssh;
            }

            @Override
            public Map<String, String> schemes() {
                return Map.of("ssh", "fleetup-transport-ssh");
            }
        };
    }

    private static ServerUpgrader.Config config(int commandTimeoutSeconds, int verifyAttempts) {
        return config(commandTimeoutSeconds, verifyAttempts, 300);
    }

    private static ServerUpgrader.Config config(int commandTimeoutSeconds, int verifyAttempts,
                                                int installableWaitSeconds) {
        return new ServerUpgrader.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return ServerUpgrader.Config.class;
            }

            @Override
            public int commandTimeoutSeconds() {
                return commandTimeoutSeconds;
            }

            @Override
            public int verifyAttempts() {
                return verifyAttempts;
            }

            @Override
            public int installableWaitSeconds() {
                return installableWaitSeconds;
            }

            @Override
            public int installableFirstBackOffSeconds() {
                return 2;
            }

            @Override
            public int installableMaxBackOffSeconds() {
                return 30;
            }

            @Override
            public double installableSpaceFactor() {
                return 3;
            }

            @Override
            public int rebootWaitSeconds() {
                return 600;
            }

            @Override
            public int rebootFirstBackOffSeconds() {
                return 2;
            }

            @Override
            public int rebootMaxBackOffSeconds() {
                return 15;
            }
        };
    }

    /**
     * Reads current/VERSION under the profile's root, as a file-based product profile would; nothing is installed
     * where that fails and there is no current.
     */
    private static class VersionFileInspector implements Inspector {

        private static final String VERSION_COMMAND = "cd " + PROFILE.shellRoot() + " && " + PROFILE.versionCommand();

        @Override
        public Inspection inspect(Server server, String product) {
            throw new UnsupportedOperationException("the upgrade inspects over its own session");
        }

        @Override
        public Optional<String> command(Server server, String product) {
            return Optional.of(VERSION_COMMAND);
        }

        @Override
        public Inspection read(Server server, String product, CommandResult printed) {
            String version = printed.stdout().strip();
            return printed.succeeded() && !version.isEmpty()
                    ? new Inspection(server.name(), product, Inspection.Status.OK, version, null, Instant.now(),
                            Duration.ZERO)
                    : new Inspection(server.name(), product, Inspection.Status.UNPARSABLE, null, "printed nothing",
                            Instant.now(), Duration.ZERO);
        }

        @Override
        public Inspection inspect(Session session, Server server, String product) {
            CommandResult result = session.execute(VERSION_COMMAND, Duration.ofSeconds(10));
            String version = result.stdout().strip();
            if (result.succeeded()) {
                return new Inspection(server.name(), product, Inspection.Status.OK, version, null, Instant.now(),
                        Duration.ZERO);
            }
            String current = "\"" + PROFILE.root() + "/current\"";
            boolean installed = session.execute("[ -e " + current + " ] || [ -L " + current + " ]",
                    Duration.ofSeconds(10)).succeeded();
            return new Inspection(server.name(), product, installed ? Inspection.Status.FAILED
                    : Inspection.Status.NOT_INSTALLED, null, result.problem(), Instant.now(), Duration.ZERO);
        }
    }

    /** Compares dotted numeric versions. */
    private static final class DottedPlanner implements Planner {

        @Override
        public void requireCapable(Release release, Map<Server, Set<Capability>> offered) {
            // Every server of these tests is reached over ssh://, which can do everything.
        }

        @Override
        public PlanEntry decide(Release release, Inspection inspection, boolean allowDowngrade) {
            if (inspection.status() == Inspection.Status.NOT_INSTALLED) {
                return new PlanEntry(inspection.server(), null, Decision.INSTALL, "nothing installed");
            }
            if (inspection.status() != Inspection.Status.OK) {
                return new PlanEntry(inspection.server(), null, Decision.UNKNOWN, inspection.detail());
            }
            int order = Arrays.compare(numbers(inspection.version()), numbers(release.version()));
            Decision decision = order < 0 || (order > 0 && allowDowngrade) ? Decision.UPGRADE
                    : order == 0 ? Decision.CURRENT : Decision.NEWER;
            String reason = switch (decision) {
                case CURRENT -> "runs " + release.version() + " already";
                case NEWER -> "runs the newer " + inspection.version();
                default -> "runs " + inspection.version();
            };
            return new PlanEntry(inspection.server(), inspection.version(), decision, reason);
        }

        @Override
        public Plan plan(Release release, List<Inspection> inspections, boolean allowDowngrade) {
            return new Plan(release, inspections.stream().map(i -> decide(release, i, allowDowngrade)).toList(),
                    Instant.now());
        }

        private static int[] numbers(String version) {
            return Arrays.stream(version.split("\\.")).mapToInt(Integer::parseInt).toArray();
        }
    }

    private static final class FixedProfiles implements ProductProfiles {

        @Override
        public ProductProfile profile(String product) {
            return PROFILE;
        }

        @Override
        public ProductProfile profile(String product, Server server) {
            return PROFILE;
        }
    }

    private static final class OneReleaseStore implements ReleaseStore {

        private final Path archive;

        OneReleaseStore(Path archive) {
            this.archive = archive;
        }

        @Override
        public Release add(String product, String version, String kind, String fileName, InputStream content) {
            throw new UnsupportedOperationException("the upgrade only reads");
        }

        @Override
        public Optional<Release> find(String product, String version) {
            return Optional.empty();
        }

        @Override
        public List<Release> list() {
            return List.of();
        }

        @Override
        public InputStream open(Release release) {
            try {
                return Files.newInputStream(archive);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
