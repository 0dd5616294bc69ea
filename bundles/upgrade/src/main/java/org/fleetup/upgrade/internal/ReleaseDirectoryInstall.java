package org.fleetup.upgrade.internal;

import static org.fleetup.api.ShellWords.quote;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.fleetup.api.FleetupException;
import org.fleetup.api.ShellWords;
import org.fleetup.api.release.Activation;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseNames;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.upgrade.StepReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "release directories" install strategy, over one session: the artifact is staged, verified on the server,
 * unpacked beside the running release, checked against its manifest, and only then made current by an atomic
 * symlink switch; the health check decides whether it stays or the previous release comes back. Whatever happens,
 * either the old release runs or the new one does, verified.
 *
 * <p>A first install (no {@code current}, perhaps no root) is the same procedure with nothing to roll back to: when
 * it does not end verified, the new release and {@code current} are removed, and so is every directory the install
 * created (the root and its missing parents, {@code staging/}, {@code releases/}) as long as it is empty, so that
 * the server is left as it was. Directories that were there before are never removed.
 *
 * <p>After the switch the product profile's restart command runs, then the health check (a command or an HTTP URL),
 * all within the on-server {@link SwitchUnit}. A release that reboots the server (the profile's {@code reboot}) is
 * switched alone, the server rebooted and proven rebooted by its boot id ({@link RebootProof}), then checked; going
 * back is the same the other way.
 *
 * <pre>
 * &lt;root&gt;/releases/&lt;version&gt;/   one directory per installed release
 * &lt;root&gt;/current            symlink to releases/&lt;version&gt;, the running one
 * &lt;root&gt;/staging/           artifacts while they are transferred and verified
 * </pre>
 *
 * <p>The profile may choose another {@link InstallStrategy} for a release: a script or a package is staged
 * and verified the same way, then installed by the same unit, with the same journal, health check and rollback; it
 * is not unpacked, and what runs is the version the strategy reads instead of where {@code current} points.
 */
public final class ReleaseDirectoryInstall {

    private static final Logger LOGGER = LoggerFactory.getLogger(ReleaseDirectoryInstall.class);

    static final String MANIFEST = "MANIFEST.sha256";

    /** Takes the trailing slashes off {@code fleetup_dir}, keeping a lone {@code /}. */
    private static final String TRIM_SLASHES =
            "while :; do case $fleetup_dir in ?*/) fleetup_dir=${fleetup_dir%/} ;; *) break ;; esac; done";
    /** {@code fleetup_dir=$(dirname "$fleetup_dir")} without the process: trailing slashes, then the last name. */
    static final String PARENT = TRIM_SLASHES + "; case $fleetup_dir in /) ;; */*) fleetup_dir=${fleetup_dir%/*}; "
            + TRIM_SLASHES + "; fleetup_dir=${fleetup_dir:-/} ;; *) fleetup_dir=. ;; esac";

    // Where the parts of a command that asks several things at once begin in its output.
    private static final String STAGING_SECTION = "::fleetup-staging";
    private static final String CURRENT_SECTION = "::fleetup-current";
    private static final String LOOK_SECTION = "::fleetup-installable";
    private static final String LOOK_STATUS = "::fleetup-status ";
    private static final String NO_STAGING = "::fleetup-no-staging";
    /** What the unpacking's command prints when the staging directory it was to make was there already. */
    private static final String STAGING_THERE = "::fleetup-staging-there";
    private static final String MANIFEST_SECTION = "::fleetup-manifest";
    private static final String MADE_SECTION = "::fleetup-made";
    private static final String RELEASE_SECTION = "::fleetup-release";
    private static final String RELEASE_EXISTS = "::fleetup-exists";
    private static final String RELEASE_MOVED = "::fleetup-moved";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    // Checksumming and unpacking a large artifact takes longer than a command: 1 s more per 16 MiB.
    private static final long HEAVY_BYTES_PER_SECOND = 16L * 1024 * 1024;

    /** What must hold, beyond the health check, for the new release to stay. */
    @FunctionalInterface
    public interface Confirmation {

        /** @return empty when the new release is confirmed, else why not, in words for people */
        Optional<String> problem(Session session);

        /**
         * A read-only command whose stdout and exit code {@link #problem(CommandResult, Session)} judges, run on the
         * server right after a healthy switch in the unit's own round trip; empty: {@link #problem(Session)} asks in a
         * round trip of its own.
         */
        default Optional<String> command() {
            return Optional.empty();
        }

        /** As {@link #problem(Session)}, from what {@link #command} printed; it may still ask over the session. */
        default Optional<String> problem(CommandResult printed, Session session) {
            return problem(session);
        }
    }

    public static final Confirmation HEALTH_CHECK_ONLY = session -> Optional.empty();

    private final Duration commandTimeout;
    private final int verifyAttempts;
    private final InstallableState.Limits installable;
    private final RebootProof.Limits reboot;

    /** With the default installable-state wait ({@link InstallableState.Limits#DEFAULTS}). */
    public ReleaseDirectoryInstall(Duration commandTimeout, int verifyAttempts) {
        this(commandTimeout, verifyAttempts, InstallableState.Limits.DEFAULTS);
    }

    /**
     * For a caller outside OSGi (the push agent): a server that is busy or short of space is waited for up to
     * {@code installableWait} in all, checked again after {@code firstBackOff}, then twice as long each time up to
     * {@code maxBackOff}; a release wants 3 × its artifact's size free, as by default.
     */
    public ReleaseDirectoryInstall(Duration commandTimeout, int verifyAttempts, Duration installableWait,
                                   Duration firstBackOff, Duration maxBackOff) {
        this(commandTimeout, verifyAttempts, new InstallableState.Limits(installableWait, firstBackOff, maxBackOff,
                InstallableState.Limits.DEFAULTS.spaceFactor()));
    }

    /**
     * @param commandTimeout how long one command on the server may run
     * @param verifyAttempts how many times the artifact is sent before a checksum mismatch on the server is final
     * @param installable how long a server that is busy or short of space is waited for, and the room a release needs
     */
    ReleaseDirectoryInstall(Duration commandTimeout, int verifyAttempts, InstallableState.Limits installable) {
        this(commandTimeout, verifyAttempts, installable, RebootProof.Limits.DEFAULTS);
    }

    /** @param reboot how long a rebooting server is waited for, and how often it is tried meanwhile */
    ReleaseDirectoryInstall(Duration commandTimeout, int verifyAttempts, InstallableState.Limits installable,
                            RebootProof.Limits reboot) {
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new FleetupException(FleetupException.INVALID_INPUT,
                    "The command timeout must be positive, not " + commandTimeout + ".");
        }
        if (verifyAttempts < 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT,
                    "verifyAttempts must be at least 1, not " + verifyAttempts + ".");
        }
        this.commandTimeout = commandTimeout;
        this.verifyAttempts = verifyAttempts;
        this.installable = installable;
        this.reboot = reboot;
    }

    /** Installs with the health check as the only confirmation. */
    public ServerOutcome install(Session session, Supplier<Session> reconnect, ProductProfile profile, Release release,
                                 Supplier<InputStream> artifact, StepReporter steps) {
        return install(session, reconnect, profile, release, artifact, steps, HEALTH_CHECK_ONLY);
    }

    /** Installs with a journal that lives as long as the call: nothing to resume. */
    public ServerOutcome install(Session session, Supplier<Session> reconnect, ProductProfile profile, Release release,
                                 Supplier<InputStream> artifact, StepReporter steps, Confirmation confirmation) {
        return install(session, reconnect, profile, release, artifact, steps, confirmation, Journal.inMemory());
    }

    /**
     * Installs {@code release} on the server {@code session} reaches and makes it current, or leaves the previous
     * release running; or finishes such an install that a crash interrupted, from what {@code journal} holds.
     *
     * @param session open to the server; the caller keeps and closes it
     * @param reconnect opens a new session when this one dies, to roll back or clean up; may be {@code null}
     * @param profile the product's profile for this server, its {@code ${name}} attributes already replaced
     * @param artifact opens the artifact's bytes, once per transfer
     * @param confirmation checked after the health check passed; a problem rolls back too
     * @param journal where every step records ({@link JournalKeys}) before its irreversible part
     * @return {@link StepState#DONE}, {@link StepState#FAILED} or {@link StepState#ROLLED_BACK}, final event told
     * @throws FleetupException {@link FleetupException#SERVER_INVALID} for an empty root,
     *         {@link FleetupException#RELEASE_INVALID} for a product, version ({@link ReleaseNames}) or checksum that
     *         cannot be used, before anything is done on the server; {@link FleetupException#LEASE_LOST} from the
     *         journal, after which nothing more was done on the server
     */
    public ServerOutcome install(Session session, Supplier<Session> reconnect, ProductProfile profile, Release release,
                                 Supplier<InputStream> artifact, StepReporter steps, Confirmation confirmation,
                                 Journal journal) {
        try (Installation installation = begin(session, reconnect, profile, release, artifact, steps, confirmation,
                journal)) {
            try {
                installation.prepare();
            } catch (RuntimeException e) {
                installation.fail(e);
            }
            return installation.runToEnd();
        }
    }

    /**
     * The same install, to be run a step at a time from {@link Procedure.Step#COMPARE} on: {@link Installation#prepare}
     * first, then each later step in order.
     */
    Installation begin(Session session, Supplier<Session> reconnect, ProductProfile profile, Release release,
                       Supplier<InputStream> artifact, StepReporter steps, Confirmation confirmation,
                       Journal journal) {
        refuseUnsafe(profile, release, steps.server());
        // A strategy that does not fit the release is refused here, before anything is done on the server.
        InstallStrategy strategy = InstallStrategy.of(profile, release);
        return new Installation(session, reconnect, profile, release, artifact, steps, confirmation, journal,
                strategy);
    }

    /**
     * Opens a session to the server. When {@code journal} says a reboot was ordered (the controller stopped while the
     * server rebooted), a server that does not answer is tried again with back-off until the reboot's deadline: it
     * may still be down, and the install resumes by proving the reboot.
     */
    public Session connect(Supplier<Session> connect, Journal journal, StepReporter steps) {
        Map<String, String> entries = journal.entries();
        if (!entries.containsKey(JournalKeys.REBOOT_ORDERED) && !entries.containsKey(JournalKeys.REBOOT_BACK_ORDERED)) {
            return connect.get();
        }
        long deadline = System.nanoTime() + reboot.deadline().toNanos();
        Duration backOff = reboot.firstBackOff();
        while (true) {
            try {
                return connect.get();
            } catch (FleetupException e) {
                if (System.nanoTime() + backOff.toNanos() > deadline) {
                    throw e;
                }
                steps.step(StepState.RECONNECTING, "a reboot was ordered before this controller started: waiting for "
                        + steps.server() + " to come back (" + e.getMessage() + ")");
                pause(backOff);
                backOff = reboot.next(backOff);
            }
        }
    }

    /**
     * Why the release {@code current} points to has no verified health record on the server, when it has none: the
     * newest unit that switched to it did not end healthy (it died, or its rollback failed). Empty when it ended
     * healthy, and when no unit ever switched to it (installed before units, or by hand), which is trusted as before.
     */
    public Optional<String> unverified(Session session, ProductProfile profile, Release release) {
        refuseUnsafe(profile, release, session.server());
        String target = InstallStrategy.of(profile, release).target(release.version());
        CommandResult found = session.execute(SwitchUnit.findSwitchedTo(profile.shellRoot(), target), commandTimeout);
        List<String> lines = found.stdout().lines().toList();
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        UnitReport report = UnitReport.parse(String.join("\n", lines.subList(1, lines.size())));
        if (UnitReport.SWITCHED_HEALTHY.equals(report.end()) && target.equals(report.switched())) {
            return Optional.empty();
        }
        return Optional.of("the unit " + lines.get(0) + " that switched to " + release.version() + " "
                + (report.alive() ? "still runs" : report.ended() ? "ended " + report.end() : "never ended")
                + ": no verified health check");
    }

    private static void refuseUnsafe(ProductProfile profile, Release release, String server) {
        if (profile.root().isBlank()) {
            throw new FleetupException(FleetupException.SERVER_INVALID, "The application root of "
                    + profile.product() + " on " + server + " is empty. Fix the product profile's root, or the "
                    + "server attribute it names.");
        }
        ReleaseNames.requireProduct(release.product());
        ReleaseNames.requireVersion(release.version());
        if (!SHA256.matcher(release.sha256()).matches()) {
            throw new FleetupException(FleetupException.RELEASE_INVALID, "Release " + release.coordinates()
                    + " has no valid SHA-256 ('" + release.sha256() + "'): add it to the store again.");
        }
    }

    /** How long one command on the server may run. */
    Duration commandTimeout() {
        return commandTimeout;
    }

    /** Heavy commands (checksums, unpacking) get more time for large artifacts. */
    private Duration heavyTimeout(long size) {
        return commandTimeout.plusSeconds(Math.max(0, size) / HEAVY_BYTES_PER_SECOND);
    }

    private static boolean leaseLost(Throwable e) {
        return FleetupException.hasCode(e, FleetupException.LEASE_LOST);
    }

    private record Ending(StepState state, String to, String detail) {
    }

    /** Not an outcome: the unit switched alone, and the server reboots into the release next. */
    private static final Ending REBOOT_NEXT = new Ending(StepState.RESTARTING, null, "reboot next");

    /** Whether the server rebooted (its boot id changed), whether it answered at all, and why not. */
    private record Reboot(boolean proven, boolean reachable, String problem) {
    }

    /** One install on one server: the state of the work, from the first command to the cleanup. */
    final class Installation implements AutoCloseable {

        private final ProductProfile profile;
        private final Release release;
        private final Supplier<InputStream> artifact;
        private final StepReporter steps;
        private final Confirmation confirmation;
        private final Journal journal;
        private final InstallStrategy strategy;
        private final Map<String, String> resumed;
        private final String version;
        private final String target;
        private final Duration heavyTimeout;
        private final ServerCommands commands;
        private final Set<String> temporaries = new LinkedHashSet<>();
        // In the order they were made, parents first.
        private final List<String> createdDirectories = new ArrayList<>();
        // Units that ended: what they wrote beside their journals goes with the cleanup.
        private final List<String> endedUnits = new ArrayList<>();
        /** What the confirmation's command printed right after the healthy switch, when it rode along. */
        private CommandResult confirmPrinted;
        /** The units whose healthy end removed their side files and the temporaries, and pruned the old journals. */
        private final Set<String> tidiedUnits = new HashSet<>();

        private StepState step = StepState.CONNECTING;
        private String doing = "starting";
        private String root;
        private String staging;
        /** The transfer to staging, which the unpacking verifies. */
        private StagedTransfer transfer;
        /** What goes on record with the staged file when the unpacking's own command sends it: null once sent. */
        private Map<String, String> sentWithTheUnpacking;
        /** Whether that command makes the staging directory; and whether it is on record as made by this install. */
        private boolean makingWithTheUnpacking;
        private boolean madeOnRecord;
        /** Whether the first look made the staging directory already. */
        private boolean stagingMade;
        /** Whether a first look that only read found no staging directory: the transfer makes it. */
        private boolean stagingMissing;
        /** Whether directories were made that the journal does not list yet: its next entry does. */
        private boolean createdUnwritten;
        /**
         * Entries read before anything changed on the server, kept for the journal's next entry, which comes before
         * the first change: the previous release, read as the install began, costs no write of its own.
         */
        private final Map<String, String> unwritten = new HashMap<>();
        /** The scratch directory of the unpacking, on record with the staged file: its own entry then saved. */
        private String scratchOnRecord;
        private String previousTarget;
        private boolean runningAlready;
        // current points to the release, verified or not: nothing is to be installed, only checked.
        private boolean targetRunning;
        private String previousVersion;
        private String unit;
        private UnitReport unitReport;
        private boolean resumingUnit;
        private boolean healthy;
        private String rollbackReason;
        private Ending ending;
        private ServerOutcome outcome;
        private boolean lost;
        private Instant resumeAt;
        // What the first look at the server's installable state printed, read with the root: used once.
        private CommandResult firstLook;
        // The server rebooted into the release: going back means switching back and rebooting again.
        private boolean rebooted;
        // The unit switched alone: the reboot is ordered and proven in the next steps.
        private boolean rebootDue;

        Installation(Session session, Supplier<Session> reconnect, ProductProfile profile, Release release,
                     Supplier<InputStream> artifact, StepReporter steps, Confirmation confirmation, Journal journal,
                     InstallStrategy strategy) {
            this.commands = new ServerCommands(session, reconnect, steps);
            this.profile = profile;
            this.release = release;
            this.artifact = artifact;
            this.steps = steps;
            this.confirmation = confirmation;
            this.journal = journal;
            this.resumed = journal.entries();
            this.version = release.version();
            this.strategy = strategy;
            this.target = strategy.target(version);
            this.heavyTimeout = heavyTimeout(release.size());
        }

        /**
         * Every step in order after {@link #prepare()}, failing the install on the first that fails; a server not
         * installable yet is waited for here, on this thread, as a caller without a scheduler does.
         */
        ServerOutcome runToEnd() {
            for (Procedure.Step each : Procedure.Step.values()) {
                if (ending != null) {
                    break;
                }
                try {
                    run(each);
                    while (resumeAt != null) {
                        pause(Duration.between(Instant.now(), resumeAt));
                        resumeAt = null;
                        run(each);
                    }
                } catch (RuntimeException e) {
                    fail(e);
                }
            }
            return outcome();
        }

        /**
         * When the install stopped without an outcome, to go on then from the journal (the server was not
         * installable yet); empty while it runs and once it has ended.
         */
        Optional<Instant> resumeAt() {
            return Optional.ofNullable(resumeAt);
        }

        /**
         * Reads where the server stands: its root, where {@code current} points, and whether an earlier life of this
         * install ordered the switch already (then only its unit's record decides).
         */
        void prepare() {
            prepare(Optional.empty());
        }

        /**
         * As {@link #prepare()}, taking {@code lookedAhead}, the lines a {@link ReleaseDirectoryInstall#lookAhead}
         * command printed just before on this server, for the round trip that would read the same; ignored when this
         * install has no such look to take (it resumes a unit, or it does not unpack).
         */
        void prepare(Optional<List<String>> lookedAhead) {
            step(() -> {
                if (strategy.unpacks() && !resumed.containsKey(JournalKeys.UNIT)) {
                    resolveRootAndLook(lookedAhead);
                    settleCurrent();
                    return;
                }
                resolveRoot();
                if (resumed.containsKey(JournalKeys.UNIT)) {
                    resumingUnit = true;
                    return;
                }
                readCurrent();
            });
        }

        /** Runs {@code step} when it is due; the steps before {@code WAIT_INSTALLABLE} are the caller's. */
        void run(Procedure.Step step) {
            switch (step) {
                case WAIT_INSTALLABLE -> step(this::awaitInstallable);
                case STAGE -> step(this::stage);
                case VERIFY -> step(this::verify);
                case INSTALL -> step(this::order);
                case RESTART -> step(this::orderReboot);
                case RECONNECT -> step(this::proveReboot);
                case HEALTH -> step(this::health);
                case CONFIRM -> step(this::confirmStep);
                case ROLLBACK -> step(this::rollBackStep);
                default -> {
                    // CONNECT, INSPECT, COMPARE are the caller's.
                }
            }
        }

        /**
         * Ends the install because a step threw: before the unit was ordered nothing changed but the temporaries,
         * which go; after, only the unit's journal says what happened.
         */
        void fail(RuntimeException e) {
            if (leaseLost(e)) {
                lost = true;
                throw e;
            }
            if (ending != null || lost) {
                return;
            }
            if (e instanceof StepFailure) {
                end(afterFailure(e.getMessage()));
            } else {
                LOGGER.warn("Unexpected failure while {}", doing, e);
                end(afterFailure(doing + " failed: " + StepFailure.describe(e)));
            }
        }

        boolean ended() {
            return outcome != null;
        }

        /** @throws IllegalStateException before the install has ended */
        ServerOutcome outcome() {
            if (outcome == null) {
                throw new IllegalStateException("the install on " + steps.server() + " has not ended");
            }
            return outcome;
        }

        /** Closes what was opened to clean up or roll back. */
        @Override
        public void close() {
            commands.closeReconnected();
        }

        private void step(Runnable work) {
            if (ending != null || lost || resumeAt != null) {
                return;
            }
            try {
                work.run();
            } catch (RuntimeException e) {
                if (leaseLost(e)) {
                    lost = true;
                }
                throw e;
            }
        }

        // Cleans up at once: the next step may run on another thread, or never, when the route stops here. Another
        // controller that owns the server now finishes and cleans up itself.
        private void end(Ending reached) {
            ending = reached;
            String cleanupNote = cleanUp(reached.state() == StepState.DONE);
            if (reached.state() != StepState.DONE) {
                removeCreatedDirectories();
            }
            outcome = steps.finish(reached.state(), previousVersion, reached.to(), reached.detail() + cleanupNote);
        }

        // A server found running the release (unverified, after a crash) is checked and confirmed or rolled back
        // whatever its state: leaving it "not installable" would leave an unverified release running.
        private void awaitInstallable() {
            if (resumingUnit || targetRunning) {
                return;
            }
            lookAtInstallable().ifPresent(refused -> end(new Ending(StepState.FAILED, previousVersion,
                    ReportStatus.NOT_INSTALLABLE_DETAIL + refused)));
        }

        private void stage() {
            if (!resumingUnit) {
                transferAndVerify();
            }
        }

        // Only release directories unpack; the other strategies check that the staged artifact fits.
        private void verify() {
            if (resumingUnit) {
                return;
            }
            if (strategy.unpacks()) {
                unpack();
            } else {
                doing = "checking " + release.fileName() + " for the " + strategy.name() + " strategy";
                strategy.checkStaged(commands, staging, version, commandTimeout);
            }
        }

        // The unit switches, restarts and checks; for a release that reboots the server, it only switches, and the
        // reboot, its proof and the check come in the next steps.
        private void order() {
            if (resumingUnit) {
                return;
            }
            if (!rebooting()) {
                unitReport = switchByUnit();
                return;
            }
            Ending switched = switchForReboot();
            if (switched == REBOOT_NEXT) {
                rebootDue = true;
            } else if (switched != null) {
                end(switched);
            }
        }

        /** Orders the reboot of a server switched to a release that needs one, recorded first. */
        private void orderReboot() {
            if (rebootDue) {
                recordAndOrderReboot(JournalKeys.REBOOT_ORDERED, unit, resumedOr(JournalKeys.BOOT_ID), Map.of());
            }
        }

        /** Reconnects until the server's boot id changed: only a proven reboot runs the new release. */
        private void proveReboot() {
            if (!rebootDue) {
                return;
            }
            Reboot proof = prove(unit, resumedOr(JournalKeys.BOOT_ID));
            if (!proof.reachable()) {
                end(unreachableAfterReboot(proof));
            } else if (!proof.proven()) {
                // The previous release still runs: an ordinary rollback, restart and check included.
                end(rollBackByUnit(proof.problem()));
            } else {
                rebooted = true;
            }
        }

        /** The unit's verdict: healthy goes on to the confirmation; anything else ends here. */
        private void health() {
            Ending verdict;
            if (resumingUnit) {
                verdict = resumeOrderedSwitch();
            } else if (rebooted) {
                verdict = checkAfterReboot();
            } else {
                verdict = verdict(null, unitReport, true);
            }
            if (verdict == REBOOT_NEXT) {
                // Found switched alone after a crash: the reboot and its proof follow at once, on this step.
                verdict = rebootIntoRelease(false);
            }
            if (verdict != null) {
                end(verdict);
            } else {
                healthy = true;
            }
        }

        private void confirmStep() {
            if (!healthy) {
                return;
            }
            Optional<String> problem = confirmationProblem();
            if (problem.isEmpty()) {
                end(confirmed());
            } else {
                rollbackReason = problem.get();
            }
        }

        private void rollBackStep() {
            if (rollbackReason != null) {
                end(rollBackByUnit(rollbackReason));
            }
        }

        /** Records {@code changes} in the journal before the step that needs them. */
        private void record(StepState state, String detail, Map<String, String> changes) {
            step = state;
            Map<String, String> written = new HashMap<>(unwritten);
            written.putAll(changes);
            if (createdUnwritten) {
                written.putIfAbsent(JournalKeys.CREATED, String.join("\n", createdDirectories));
            }
            journal.record(state, detail, written);
            createdUnwritten = false;
            unwritten.clear();
        }

        // Before the unit is ordered, the previous release still runs untouched: a failure is just a failure. After,
        // only the unit's journal says what happened: it is read, never guessed.
        private Ending afterFailure(String reason) {
            if (unit == null) {
                return new Ending(StepState.FAILED, previousVersion, reason);
            }
            try {
                live("read what the unit on the server did");
                return conclude(reason, settle(unit, UnitReport.parse(execute("reading the unit's journal",
                        "cd " + profile.shellRoot() + " && " + SwitchUnit.read(unit), commandTimeout).stdout())),
                        true);
            } catch (RuntimeException e) {
                if (leaseLost(e)) {
                    throw e;
                }
                return new Ending(StepState.FAILED, null, reason + "; the unit " + unit + " on the server finishes "
                        + "alone, but what it did could not be read (" + StepFailure.describe(e) + "): upgrade the "
                        + "server again to reconcile it from " + root + "/" + SwitchUnit.journal(unit));
            }
        }

        /**
         * The root and its staging directory (made when missing), where {@code current} points, and a first look at
         * whether the server can take the release, in one round trip: what {@link #resolveRoot}, the staging's
         * creation, {@link #readCurrentLink} and the first {@link #lookAtInstallable} would each ask alone.
         */
        private void resolveRootAndLook(Optional<List<String>> lookedAhead) {
            doing = "resolving the application root " + profile.root() + " and reading where its current points";
            if (lookedAhead.isPresent()) {
                takeRootAndLook(lookedAhead.get(), "");
                return;
            }
            CommandResult result = run(doing, rootAndLook(profile, target, true), commandTimeout);
            takeRootAndLook(result.stdout().lines().toList(), result.stderr());
        }

        /** What {@link #rootAndLook} printed, whether it made what was missing or only looked. */
        private void takeRootAndLook(List<String> lines, String stderr) {
            int made = lines.indexOf(STAGING_SECTION);
            int current = lines.indexOf(CURRENT_SECTION);
            int looked = lines.indexOf(LOOK_SECTION);
            String status = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
            if (made < 0 || current < made || looked < current || !status.startsWith(LOOK_STATUS)) {
                throw new StepFailure(doing + " printed what it should not: '" + String.join(" | ", lines) + "'");
            }
            takeRoot(lines.subList(0, made));
            List<String> staged = lines.subList(made + 1, current);
            stagingMissing = staged.equals(List.of(NO_STAGING));
            remember(stagingMissing ? List.of() : staged);
            stagingMade = !stagingMissing;
            takeCurrentLink(lines.subList(current + 1, looked));
            firstLook = new CommandResult(Integer.parseInt(status.substring(LOOK_STATUS.length()).strip()),
                    String.join("\n", lines.subList(looked + 1, lines.size() - 1)), stderr);
        }

        private void resolveRoot() {
            doing = "resolving the application root " + profile.root();
            String rootWord = profile.shellRoot();
            // A first install may find no root: it is made here, and what was made is remembered.
            takeRoot(run(doing, createMissing(rootWord) + " && cd " + rootWord + " && pwd -P", commandTimeout)
                    .stdout().lines().toList());
        }

        /** The directories made for the root (deepest first), then its physical path, as the root's command printed. */
        private void takeRoot(List<String> lines) {
            String made = resumed.getOrDefault(JournalKeys.CREATED, "");
            made.lines().filter(line -> !line.isEmpty()).forEach(createdDirectories::add);
            remember(lines.subList(0, Math.max(0, lines.size() - 1)));
            String absolute = lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
            if (!absolute.startsWith("/")) {
                throw new StepFailure(doing + " printed '" + absolute + "', not an absolute path");
            }
            root = absolute;
        }

        /** What {@link #currentLinkCommand} printed: nothing without a current link, else three lines. */
        private void takeCurrentLink(List<String> lines) {
            if (lines.size() >= 3) {
                previousTarget = lines.get(1);
                runningAlready = !lines.get(0).isEmpty() && lines.get(0).equals(lines.get(2));
            }
        }

        private void readCurrent() {
            if (strategy.unpacks()) {
                readCurrentLink();
            } else {
                // What runs is what the strategy reads (the version command, the package database).
                doing = "reading the installed version";
                previousTarget = strategy.installed(commands, quote(root), commandTimeout).orElse(null);
                runningAlready = version.equals(previousTarget);
            }
            settleCurrent();
        }

        /** What the install makes of where {@code current} points, recorded before anything changes. */
        private void settleCurrent() {
            targetRunning = runningAlready;
            if (runningAlready) {
                Optional<String> before = beforeAnUnverifiedSwitch().filter(p -> !versionOf(p).equals(version));
                if (before.isPresent()) {
                    previousTarget = before.get();
                    runningAlready = false;
                }
            }
            if (resumed.containsKey(JournalKeys.PREVIOUS_TARGET)) {
                // Read before anything changed: a resumed install never takes what it put there for the old.
                String recorded = resumed.get(JournalKeys.PREVIOUS_TARGET);
                previousTarget = recorded.isEmpty() ? null : recorded;
            }
            previousVersion = previousTarget == null ? null : versionOf(previousTarget);
            // Nothing was changed yet, and the next entry (the staged file, a wait, a unit) comes before anything is:
            // it carries the previous release; an install that ends before it changed nothing to roll back.
            step = StepState.CONNECTING;
            unwritten.put(JournalKeys.PREVIOUS_TARGET, nonNull(previousTarget));
            unwritten.put(JournalKeys.PREVIOUS_VERSION, nonNull(previousVersion));
        }

        // The new release's directory is resolved too, so that "is it the running one?" survives symlinked paths.
        // POSIX only, as BusyBox has no readlink -m: a directory's physical path is what "cd DIR && pwd -P" prints,
        // and one that is not there (yet) prints an empty line.
        private void readCurrentLink() {
            doing = "reading where " + root + "/current points";
            takeCurrentLink(run(doing, "cd " + quote(root) + " && " + currentLinkCommand(target), commandTimeout)
                    .stdout().lines().toList());
        }

        // The release runs already: if a unit switched to it and never ended healthy, the previous target it
        // recorded is what a failing check rolls back to.
        private Optional<String> beforeAnUnverifiedSwitch() {
            List<String> lines = execute("looking for the unit that switched to " + version,
                    SwitchUnit.findSwitchedTo(quote(root), target), commandTimeout).stdout().lines().toList();
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            String found = lines.get(0);
            UnitReport report = settle(found, UnitReport.parse(String.join("\n", lines.subList(1, lines.size()))));
            if (UnitReport.SWITCHED_HEALTHY.equals(report.end()) && target.equals(report.switched())) {
                return Optional.empty();
            }
            steps.step(StepState.CHECKING, version + " runs, but the unit " + found + " that switched to it "
                    + (report.ended() ? "ended " + report.end() : "never ended") + ": checking it again"
                    + (report.previous() == null || report.previous().isEmpty() ? ""
                    : ", ready to roll back to " + report.previous()));
            return Optional.ofNullable(report.previous()).filter(p -> !p.isEmpty());
        }

        /**
         * One look, before a byte is sent, at whether the server can take the release: busy, or short of space. When
         * it cannot, and the wait's budget (counted from the first look, kept in the journal) is not spent, the
         * install stops without an outcome until {@link #resumeAt()}: nothing holds a thread meanwhile. Only reads: a
         * server left this way was not changed (what a first install made of its root goes with the cleanup).
         *
         * @return why it never became installable within the budget, when it did not
         */
        private Optional<String> lookAtInstallable() {
            // What an interrupted transfer left goes too if the server is left now.
            Optional.ofNullable(resumed.get(JournalKeys.STAGING)).ifPresent(temporaries::add);
            long needed = (long) Math.ceil(Math.max(0, release.size()) * installable.spaceFactor());
            String check = InstallableState.command(root, profile.busyMarker(), profile.activation().busyCommand());
            doing = "checking that " + root + " can take " + version;
            CommandResult looked = firstLook != null ? firstLook : execute(doing, check, commandTimeout);
            firstLook = null;
            Optional<String> problem = InstallableState.problem(looked, root, profile.busyMarker(), needed);
            if (problem.isEmpty()) {
                return problem;
            }
            Map<String, String> entries = journal.entries();
            Instant now = Instant.now();
            Instant since = Optional.ofNullable(entries.get(JournalKeys.INSTALLABLE_SINCE)).map(Instant::parse)
                    .orElse(now);
            Duration backOff = Optional.ofNullable(entries.get(JournalKeys.INSTALLABLE_BACK_OFF)).map(Duration::parse)
                    .map(installable::next).orElse(installable.firstBackOff());
            Instant deadline = since.plus(installable.budget());
            if (!now.isBefore(deadline)) {
                return problem;
            }
            Duration pause = Duration.between(now, Collections.min(List.of(now.plus(backOff), deadline)));
            String waiting = problem.get() + ": checking again in " + seconds(pause);
            record(StepState.WAITING, waiting, Map.of(JournalKeys.INSTALLABLE_SINCE, since.toString(),
                    JournalKeys.INSTALLABLE_BACK_OFF, backOff.toString()));
            steps.step(StepState.WAITING, waiting);
            resumeAt = now.plus(pause);
            return Optional.empty();
        }

        /**
         * Run in the root: the physical path of {@code target}'s directory (empty when it is not there), then, when
         * {@code current} is a link, where it points and its physical path; a {@code current} that is no link fails.
         */
        private static String currentLinkCommand(String target) {
            return physicalPath(target) + " && if [ -L current ]; then readlink current && " + physicalPath("current")
                    + "; elif [ -e current ]; then echo \"$(pwd -P)/current is not a symbolic link: move it away, then"
                    + " upgrade again\" >&2; exit 2; fi";
        }

        private static String physicalPath(String directory) {
            return "echo \"$(cd " + quote(directory) + " 2>/dev/null && pwd -P)\"";
        }

        private void transferAndVerify() {
            String stagingDir = root + "/staging";
            staging = stagingDir + "/" + release.product() + "-" + version + "."
                    + release.sha256().substring(0, 12) + strategy.suffix();
            // What goes on record with the staged file, before the first change on the server.
            Map<String, String> recorded = new HashMap<>();
            boolean making = stagingMissing;
            if (making && !createdDirectories.contains(stagingDir)) {
                // On record with the staging file, before it is made: a failed first install takes away what it made.
                createdDirectories.add(stagingDir);
                recorded.put(JournalKeys.CREATED, String.join("\n", createdDirectories));
            } else if (!making && !stagingMade) {
                doing = "creating " + stagingDir;
                remember(run(doing, createMissing(quote(stagingDir)), commandTimeout).stdout().lines().toList());
            }
            temporaries.add(staging);
            if (strategy.unpacks() && !resumed.containsKey(JournalKeys.SCRATCH)) {
                // Named now and on record with the staged file: the unpacking that follows makes it without an entry
                // of its own. Until then the name stands for nothing, and removing it (a cleanup, a resumed install)
                // removes nothing.
                scratchOnRecord = root + "/.scratch-" + version + "-" + randomToken();
                temporaries.add(scratchOnRecord);
                recorded.put(JournalKeys.SCRATCH, scratchOnRecord);
            }
            doing = "transferring";
            step = StepState.TRANSFERRING;
            transfer = new StagedTransfer(commands, steps, journal, release, artifact, verifyAttempts, commandTimeout,
                    heavyTimeout);
            boolean onRecord = recorded.containsKey(JournalKeys.CREATED);
            unwritten.forEach(recorded::putIfAbsent);
            unwritten.clear();
            if (strategy.unpacks() && !staging.equals(resumed.get(JournalKeys.STAGING))) {
                // The unpacking's command gets the file as its input, checks its sum and unpacks it: no channel of
                // the transfer's own, no round trip between. It goes on record there, before the command. Not when
                // an interrupted install sent it before: what landed then is continued from its size.
                sentWithTheUnpacking = recorded;
                makingWithTheUnpacking = making;
                madeOnRecord = onRecord;
                return;
            }
            transfer.send(staging, recorded, () -> {
                if (making) {
                    makeStaging(stagingDir, onRecord);
                }
            });
            if (!strategy.unpacks()) {
                // Unpacking checks the sum in its own command; the other strategies check the verified file alone.
                transfer.verify(staging);
            }
        }

        /**
         * Makes the staging directory the first look found missing, in the transfer's own channel (no round trip of
         * its own); {@code onRecord}: it was recorded as made, with the staging file, before. A directory someone else
         * made meanwhile is taken off the record again, so that a failed install never removes it.
         */
        private void makeStaging(String stagingDir, boolean onRecord) {
            doing = "creating " + stagingDir;
            boolean made;
            try {
                made = commands.session().makeDirectory(stagingDir);
            } catch (FleetupException e) {
                throw new StepFailure(doing + " failed: " + StepFailure.describe(e), e);
            }
            staged(stagingDir, made, onRecord);
            doing = "transferring";
        }

        /** A directory someone else made meanwhile is taken off the record again. */
        private void staged(String stagingDir, boolean made, boolean onRecord) {
            if (!made && onRecord) {
                createdDirectories.remove(stagingDir);
                record(StepState.TRANSFERRING, stagingDir + " was there already", Map.of(JournalKeys.CREATED,
                        String.join("\n", createdDirectories)));
            }
            stagingMissing = false;
            stagingMade = true;
        }

        /**
         * Sends the staged file as the input of the unpacking's command, which makes the staging directory first when
         * it is missing: what it printed after the sum matched, or empty when the file went otherwise (and still is
         * to be verified).
         */
        private Optional<List<String>> sendWithTheUnpacking(String command) {
            Map<String, String> recorded = sentWithTheUnpacking;
            sentWithTheUnpacking = null;
            String unpacking = doing;
            String stagingDir = root + "/staging";
            String word = quote(stagingDir);
            String making = makingWithTheUnpacking ? "if [ -d " + word + " ]; then echo " + STAGING_THERE
                    + "; else mkdir -- " + word + " || exit 1; fi;" : "";
            Optional<List<String>> printed = transfer.sendWith(staging, recorded, making, command, () -> {
                if (makingWithTheUnpacking && !stagingMade) {
                    // The connection dropped, perhaps before the command made it: made now if not, and on record
                    // as made either way (it was missing when the install looked).
                    makeStaging(stagingDir, false);
                    doing = unpacking;
                }
            }, lines -> {
                if (makingWithTheUnpacking) {
                    staged(stagingDir, !lines.contains(STAGING_THERE), madeOnRecord);
                }
            });
            return printed.map(lines -> lines.stream().filter(line -> !line.equals(STAGING_THERE)).toList());
        }

        private void unpack() {
            String earlier = resumed.get(JournalKeys.SCRATCH);
            if (earlier != null) {
                temporaries.add(earlier);
                run("removing the scratch directory " + earlier + " of an interrupted unpacking",
                        "rm -rf -- " + quote(earlier), heavyTimeout);
            }
            String scratch = scratchOnRecord != null ? scratchOnRecord
                    : root + "/.scratch-" + version + "-" + randomToken();
            String releaseDir = root + "/" + target;
            doing = "unpacking " + release.fileName() + " into " + scratch;
            if (scratchOnRecord == null) {
                temporaries.add(scratch);
                record(StepState.VERIFYING, doing, Map.of(JournalKeys.SCRATCH, scratch));
            } else {
                step = StepState.VERIFYING;
            }
            String manifest = scratch + "/" + MANIFEST;
            // One round trip for what usually follows: unpack, check, make releases/ and .fleetup/, and move the
            // release in when its directory is free; anything else is decided here, with what the server printed.
            // Not the archive's owners and modes: the server's user owns the files, its umask applies, and the exec
            // bits the archive carries stay (a umask only takes bits away). -o is --no-same-owner to GNU tar and to
            // BusyBox's, which has no such long option.
            String unpacking = "mkdir " + quote(scratch) + " && tar -x -z -o -f " + quote(staging)
                    + " -C " + quote(scratch) + " --no-same-permissions && fleetup_sums=0 && if [ -f " + quote(manifest)
                    + " ]; then echo " + MANIFEST_SECTION + "; (" + mismatchCommand(scratch, manifest)
                    + "); fleetup_sums=$?; echo \"" + LOOK_STATUS + "$fleetup_sums\"; fi && if [ \"$fleetup_sums\" -eq 0 ];"
                    + " then echo " + MADE_SECTION + " && " + createMissing(quote(root + "/releases")) + " && "
                    + createMissing(quote(root + "/" + SwitchUnit.DIRECTORY)) + " && echo " + RELEASE_SECTION
                    + " && if [ -e " + quote(releaseDir) + " ] || [ -L " + quote(releaseDir) + " ]; then echo "
                    + RELEASE_EXISTS + "; else mv -T " + quote(scratch) + " " + quote(releaseDir) + " && echo "
                    + RELEASE_MOVED + "; fi; fi";
            // The staged file's sum is checked first, in the same round trip; a mismatch sends it again.
            List<List<String>> printed = new ArrayList<>(1);
            if (sentWithTheUnpacking != null) {
                sendWithTheUnpacking(unpacking).ifPresent(printed::add);
            }
            if (printed.isEmpty()) {
                verifyAndUnpack(unpacking, printed);
            }
            steps.step(StepState.INSTALLING, "unpacked " + release.fileName() + " into " + scratch + ", its SHA-256 "
                    + "verified, every file checked against " + MANIFEST + " when it has one");
            placeUnpacked(printed.get(0), scratch, releaseDir, manifest);
        }

        private void verifyAndUnpack(String unpacking, List<List<String>> printed) {
            transfer.verify(staging, () -> {
                List<String> out = run(doing, transfer.sumCheck(staging) + " && " + unpacking, heavyTimeout).stdout()
                        .lines().toList();
                Optional<String> mismatch = StagedTransfer.mismatch(out);
                if (mismatch.isEmpty()) {
                    printed.add(out);
                }
                return mismatch;
            });
        }

        /** Reads what the unpacking printed, and puts the release in place when it did not move it there itself. */
        private void placeUnpacked(List<String> lines, String scratch, String releaseDir, String manifest) {
            int sums = lines.indexOf(MANIFEST_SECTION);
            boolean hasManifest = sums >= 0;
            if (hasManifest) {
                String status = lines.stream().filter(line -> line.startsWith(LOOK_STATUS)).findFirst().orElse("");
                int code = status.isEmpty() ? -1 : Integer.parseInt(status.substring(LOOK_STATUS.length()).strip());
                if (code != 0) {
                    throw new StepFailure(manifestProblem(scratch, new CommandResult(code,
                            String.join("\n", lines.subList(sums + 1, Math.max(sums + 1, lines.indexOf(status)))),
                            "")));
                }
            } else {
                LOGGER.info("{} holds no {}: its files are trusted through the artifact's SHA-256",
                        release.fileName(), MANIFEST);
            }
            int made = lines.indexOf(MADE_SECTION);
            int placed = lines.indexOf(RELEASE_SECTION);
            if (made < 0 || placed < made) {
                throw new StepFailure(doing + " printed what it should not: '" + String.join(" | ", lines) + "'");
            }
            // The unit's entry, next, records them: nothing between here and there changes the server.
            rememberWithNextWrite(lines.subList(made + 1, placed));
            if (lines.contains(RELEASE_MOVED)) {
                temporaries.remove(scratch);
                return;
            }
            if (lines.contains(RELEASE_EXISTS)) {
                if (hasManifest && mismatch(releaseDir, manifest).isEmpty()) {
                    steps.step(StepState.INSTALLING, releaseDir + " is installed already and matches the manifest: "
                            + "reusing it");
                } else {
                    replace(releaseDir, scratch, hasManifest);
                }
                return;
            }
            throw new StepFailure(doing + " neither moved the release into " + releaseDir + " nor found it there: '"
                    + String.join(" | ", lines) + "'");
        }

        // The directory is moved aside rather than deleted in place: a rename is atomic, so releases/<version> is
        // never a half-deleted tree, and the slow removal happens in the cleanup.
        private void replace(String releaseDir, String scratch, boolean hasManifest) {
            if (runningAlready) {
                throw new StepFailure(releaseDir + " is the running release and "
                        + (hasManifest ? "does not match the archive's manifest" : "cannot be compared with the "
                        + "archive, which has no manifest") + "; it is not replaced under the running application");
            }
            String aside = root + "/.aside-" + version + "-" + randomToken();
            doing = "moving the existing " + releaseDir + " aside to " + aside;
            steps.step(StepState.INSTALLING, releaseDir + " exists but "
                    + (hasManifest ? "does not match the archive's manifest" : "cannot be verified") + ": " + doing);
            temporaries.add(aside);
            run(doing, "mv -T " + quote(releaseDir) + " " + quote(aside), commandTimeout);
            doing = "moving the release into " + releaseDir;
            run(doing, "mv -T " + quote(scratch) + " " + quote(releaseDir), commandTimeout);
        }

        /** The release sits verified in releases/: the unit on the server does the rest, recorded first. */
        private UnitReport switchByUnit() {
            String id = UUID.randomUUID().toString();
            doing = strategy.unpacks() ? "switching " + root + "/current to " + target
                    : "installing " + release.fileName() + " by the " + strategy.name() + " strategy";
            record(StepState.INSTALLING, doing, Map.of(JournalKeys.UNIT, id));
            unit = id;
            steps.step(StepState.INSTALLING, doing + (previousTarget == null ? "" : " (was " + previousTarget
                    + ")") + " by the unit " + id + " on the server");
            announceChecks();
            return launch(SwitchUnit.SWITCH, id);
        }

        private Ending startRollbackUnit(String id, String reason) {
            steps.step(StepState.INSTALLING, "rolling back to " + previousVersion + " (" + previousTarget
                    + ") by the unit " + id + " because " + reason);
            return concludeRollback(reason, launch(SwitchUnit.ROLL_BACK, id));
        }

        /** Starts a unit, waits for it on the same channel, and reads its journal. */
        private UnitReport launch(String mode, String id) {
            boolean switching = SwitchUnit.SWITCH.equals(mode);
            doing = switching ? "running the unit " + id + " on the server" : "rolling back by the unit " + id;
            // A healthy switch is tidied in the same command: the usual end of an upgrade costs no cleanup of its own.
            List<String> tidied = switching ? List.copyOf(temporaries) : List.of();
            String printed = run(doing, SwitchUnit.start(quote(root), mode, id, target, version,
                    nonNull(previousTarget), nonNull(previousVersion), checks(), strategy.unitFunctions(nonNull(staging)))
                    + (switching ? " && " + SwitchUnit.afterHealthy(id, tidied, confirmation.command().orElse(""))
                    : ""), unitTimeout()).stdout();
            if (switching && printed.lines().anyMatch(SwitchUnit.TIDIED::equals)) {
                temporaries.removeAll(tidied);
                tidiedUnits.add(id);
            }
            confirmPrinted = switching ? SwitchUnit.confirmation(printed).orElse(null) : null;
            return settle(id, UnitReport.parse(printed));
        }

        // The unit's own deadline bounds each restart and health check; the wait allows for two of each and the
        // removal.
        private Duration unitTimeout() {
            return commandTimeout.multipliedBy(4).plus(heavyTimeout);
        }

        private SwitchUnit.Checks checks() {
            Activation activation = profile.activation();
            return new SwitchUnit.Checks(profile.healthCommand(), commandTimeout, activation.restartCommand(),
                    activation.healthUrl(), activation.healthExpect());
        }

        /** Tells what the unit runs after the switch: the restart, then the health check. */
        private void announceChecks() {
            Activation activation = profile.activation();
            steps.step(StepState.RESTARTING, activation.restartCommand().isEmpty()
                    ? "no restart command configured for " + profile.product() + ": the health check runs against "
                    + version + " as it is"
                    : "running '" + activation.restartCommand() + "' in " + root + " (at most "
                    + seconds(commandTimeout) + ")");
            steps.step(StepState.CHECKING, (activation.healthUrl().isEmpty()
                    ? "running '" + profile.healthCommand() + "' in " + root
                    : "fetching " + activation.healthUrl() + " on the server")
                    + ", expecting " + activation.expected(version));
        }

        /** Waits, bounded, while the unit still runs. */
        private UnitReport settle(String id, UnitReport report) {
            if (!report.alive()) {
                return report;
            }
            steps.step(step, "the unit " + id + " still runs on the server: waiting for it to end");
            return UnitReport.parse(run("waiting for the unit " + id,
                    SwitchUnit.awaitEnd(quote(root), id), unitTimeout())
                    .stdout());
        }

        /** What a switch unit's journal says, turned into the outcome; a healthy end is confirmed first. */
        private Ending conclude(String failure, UnitReport report, boolean mayRestart) {
            Ending verdict = verdict(failure, report, mayRestart);
            return verdict == REBOOT_NEXT ? rebootIntoRelease(false) : verdict != null ? verdict : confirm();
        }

        /**
         * What a switch unit's journal says: the outcome, {@code null} when it ended healthy, to be confirmed, or
         * {@link #REBOOT_NEXT} when it switched alone, for a reboot.
         */
        private Ending verdict(String failure, UnitReport report, boolean mayRestart) {
            if (report.alive()) {
                return new Ending(StepState.FAILED, null, (failure == null ? "" : failure + "; ") + "the unit "
                        + unit + " still runs on the server: upgrade the server again to reconcile it");
            }
            if (!report.started() || report.died()) {
                if (!mayRestart) {
                    throw new StepFailure((failure == null ? "" : failure + "; ") + "the unit " + unit + " "
                            + (report.started() ? "ended" : "started") + " without a word on the server");
                }
                return restartUnit(report);
            }
            record(step, "the unit " + unit + " ended " + report.end(), Map.of(JournalKeys.OUTCOME, report.end()));
            endedUnits.add(unit);
            String health = report.healthProblem() == null ? "" : report.healthProblem();
            return switch (report.end()) {
                case UnitReport.SWITCHED_HEALTHY -> null;
                case UnitReport.SWITCHED_UNCHECKED -> REBOOT_NEXT;
                case UnitReport.NOTHING_TO_ROLL_BACK -> new Ending(StepState.FAILED, null, health + "; " + version
                        + " was already the running release, so there is nothing to roll back to");
                default -> rolledBack(health, report);
            };
        }

        // A unit that never started, or died without a word (the server went down under it), is started again: it
        // is idempotent (the switch is a rename onto current, the check reads, the rollback switches to a target).
        private Ending restartUnit(UnitReport report) {
            if (!report.started() && strategy.unpacks()) {
                String pointed = firstLine(run("reading where " + root + "/current points",
                        "readlink " + quote(root + "/current") + " || true", commandTimeout));
                if (!pointed.equals(nonNull(previousTarget))) {
                    throw new StepFailure("the unit " + unit + " never started, yet " + root + "/current points to '"
                            + pointed + "', not to '" + nonNull(previousTarget) + "' as before the switch: someone "
                            + "else changed it; nothing was done, check the server and upgrade it again");
                }
            }
            String id = UUID.randomUUID().toString();
            doing = "switching " + root + "/current to " + target + " again";
            record(StepState.INSTALLING, "the unit " + unit + (report.started() ? " died without ending"
                    : " never started") + ": starting it again", Map.of(JournalKeys.UNIT, id));
            if (report.started()) {
                endedUnits.add(unit);
            }
            unit = id;
            return verdict(null, launch(rebooting() ? SwitchUnit.SWITCH_ONLY : SwitchUnit.SWITCH, id), false);
        }

        private Ending rolledBack(String reason, UnitReport report) {
            String removal = report.removal().orElse("");
            return switch (report.end()) {
                case UnitReport.ROLLED_BACK -> previousTarget == null
                        ? new Ending(StepState.ROLLED_BACK, null, reason + "; no release ran before " + version + ": "
                        + (removal.isEmpty() ? strategy.undoneFirstInstall()
                        : "current removed" + removal))
                        : new Ending(StepState.ROLLED_BACK, previousVersion,
                        reason + "; rolled back to " + previousVersion + " (verified)" + removal);
                case UnitReport.ROLLED_BACK_UNHEALTHY -> new Ending(StepState.FAILED, null, reason + "; rolled back to "
                        + previousVersion + ", but it does not answer either: " + report.endDetail() + removal);
                // The switch back is one rename: when it failed, current was left where it pointed.
                default -> new Ending(StepState.FAILED, null, reason + "; " + report.endDetail()
                        + "; " + strategy.leftAfterFailedRollback(version));
            };
        }

        /** The unit said healthy: the plan's own inspection must agree, or the release goes. */
        private Ending confirm() {
            Optional<String> problem = confirmationProblem();
            return problem.isPresent() ? rollBackByUnit(problem.get()) : confirmed();
        }

        private Optional<String> confirmationProblem() {
            doing = "confirming " + version;
            try {
                return confirmPrinted != null ? confirmation.problem(confirmPrinted, commands.session())
                        : confirmation.problem(commands.session());
            } catch (RuntimeException e) {
                if (leaseLost(e)) {
                    throw e;
                }
                LOGGER.warn("Confirming {} failed", version, e);
                return Optional.of("confirming " + version + " failed: " + StepFailure.describe(e));
            }
        }

        private Ending confirmed() {
            String done;
            if (previousVersion == null) {
                done = "installed " + version + " (verified); no release ran before";
            } else if (previousVersion.equals(version)) {
                done = version + " was installed already; checked again (verified)";
            } else {
                done = "upgraded from " + previousVersion + " to " + version + " (verified)";
            }
            return new Ending(StepState.DONE, version, done);
        }

        private Ending rollBackByUnit(String reason) {
            if (rebooted) {
                return switchBackForReboot(reason);
            }
            String id = UUID.randomUUID().toString();
            record(StepState.INSTALLING, "rolling back because " + reason,
                    Map.of(JournalKeys.ROLLBACK_UNIT, id, JournalKeys.ROLLBACK_REASON, reason));
            live("roll back");
            return startRollbackUnit(id, reason);
        }

        private Ending concludeRollback(String reason, UnitReport report) {
            String id = resumedOr(JournalKeys.ROLLBACK_UNIT);
            if (report.alive()) {
                return new Ending(StepState.FAILED, null, reason + "; the rollback unit " + id + " still runs on "
                        + "the server: upgrade the server again to reconcile it");
            }
            if (!report.ended()) {
                // Never started, or died: rolling back again is safe, it only points current back.
                String again = UUID.randomUUID().toString();
                record(StepState.INSTALLING, "the rollback unit " + id + " did not end: starting it again",
                        Map.of(JournalKeys.ROLLBACK_UNIT, again));
                if (report.started()) {
                    endedUnits.add(id);
                }
                UnitReport second = launch(SwitchUnit.ROLL_BACK, again);
                if (!second.ended()) {
                    return new Ending(StepState.FAILED, null, reason + "; the rollback unit " + again
                            + " did not end: upgrade the server again to reconcile it");
                }
                endedUnits.add(again);
                record(step, "the rollback unit ended " + second.end(), Map.of(JournalKeys.OUTCOME, second.end()));
                return second.end().equals(UnitReport.NOTHING_TO_ROLL_BACK) ? nothingToRollBack(reason)
                        : rolledBack(reason, second);
            }
            endedUnits.add(id);
            record(step, "the rollback unit ended " + report.end(), Map.of(JournalKeys.OUTCOME, report.end()));
            return report.end().equals(UnitReport.NOTHING_TO_ROLL_BACK) ? nothingToRollBack(reason)
                    : rolledBack(reason, report);
        }

        private Ending nothingToRollBack(String reason) {
            return new Ending(StepState.FAILED, null, reason + "; " + version
                    + " was already the running release, so there is nothing to roll back to");
        }

        /** A crash came after the switch was ordered: the server's own journal says what happened since. */
        private Ending resumeOrderedSwitch() {
            previousTarget = emptyToNull(resumed.get(JournalKeys.PREVIOUS_TARGET));
            previousVersion = emptyToNull(resumed.get(JournalKeys.PREVIOUS_VERSION));
            unit = resumed.get(JournalKeys.UNIT);
            Optional.ofNullable(resumed.get(JournalKeys.STAGING)).ifPresent(temporaries::add);
            // A unit started again installs the same staged artifact.
            staging = resumed.get(JournalKeys.STAGING);
            Optional.ofNullable(resumed.get(JournalKeys.SCRATCH)).ifPresent(temporaries::add);
            steps.step(StepState.RECONNECTING, "resuming: the unit " + unit + " was ordered; reading "
                    + root + "/" + SwitchUnit.journal(unit));
            Optional<Ending> afterReboot = resumeReboot();
            if (afterReboot.isPresent()) {
                return afterReboot.get();
            }
            String rollbackUnit = resumed.get(JournalKeys.ROLLBACK_UNIT);
            if (rollbackUnit != null) {
                String reason = resumed.getOrDefault(JournalKeys.ROLLBACK_REASON, "the confirmation disagreed");
                endedUnits.add(unit);
                UnitReport report = settle(rollbackUnit, readUnit(rollbackUnit));
                if (!report.started()) {
                    return startRollbackUnit(rollbackUnit, reason);
                }
                return concludeRollback(reason, report);
            }
            return verdict(null, settle(unit, readUnit(unit)), true);
        }

        // A release that reboots the server: switch alone, reboot, prove it by the boot id, then check; going back
        // is the same, the other way. Each part is journaled before it starts, and a resumed install goes on from
        // the last one (resumeReboot).

        private boolean rebooting() {
            return profile.activation().reboot().follows(release);
        }

        /** The boot id is read, and recorded with the unit, before the switch: a reboot is proven against it. */
        private Ending switchForReboot() {
            String id = UUID.randomUUID().toString();
            String bootId = bootId(id);
            doing = "switching " + root + "/current to " + target;
            record(StepState.INSTALLING, doing + ", then rebooting (boot id now " + bootId + ")",
                    Map.of(JournalKeys.BOOT_ID, bootId, JournalKeys.UNIT, id));
            unit = id;
            steps.step(StepState.INSTALLING, doing + (previousTarget == null ? "" : " (was " + previousTarget + ")")
                    + " by the unit " + id + " on the server; " + version + " runs once the server rebooted");
            return verdict(null, launch(SwitchUnit.SWITCH_ONLY, id), true);
        }

        private String bootId(String rebootId) {
            String bootId = RebootProof.parse(run("reading the boot id of " + steps.server(),
                    RebootProof.read(quote(root), rebootId, profile.activation().bootIdCommand()), commandTimeout)
                    .stdout()).bootId();
            if (bootId.isEmpty()) {
                throw new StepFailure("the boot id command '" + profile.activation().bootIdCommand() + "' printed "
                        + "nothing, so a reboot could not be proven: fix bootIdCommand in the product profile");
            }
            return bootId;
        }

        private Ending rebootIntoRelease(boolean ordered) {
            String[] order = ordered ? resumedOr(JournalKeys.REBOOT_ORDERED).split(" ", 2)
                    : new String[] {unit, resumedOr(JournalKeys.BOOT_ID)};
            Reboot proof = rebootAndProve(JournalKeys.REBOOT_ORDERED, order[0], order[1], ordered, Map.of());
            if (!proof.reachable()) {
                return unreachableAfterReboot(proof);
            }
            if (!proof.proven()) {
                // The previous release still runs: an ordinary rollback, restart and check included.
                return rollBackByUnit(proof.problem());
            }
            rebooted = true;
            Ending checked = checkAfterReboot();
            return checked != null ? checked : confirm();
        }

        private Ending unreachableAfterReboot(Reboot proof) {
            return new Ending(StepState.FAILED, null, proof.problem() + "; it cannot be rolled back without a "
                    + "connection: current points to " + version + ", not checked; upgrade the server again once "
                    + "it answers, which checks it and rolls it back if need be");
        }

        /** The check of the release the server rebooted into: the outcome, or {@code null} when healthy. */
        private Ending checkAfterReboot() {
            String id = UUID.randomUUID().toString();
            record(StepState.CHECKING, "checking " + version + " after the reboot by the unit " + id,
                    Map.of(JournalKeys.CHECK_UNIT, id));
            announceCheckAfterReboot(version);
            return concludeCheck(id, launch(SwitchUnit.CHECK, id));
        }

        private void announceCheckAfterReboot(String checked) {
            Activation activation = profile.activation();
            steps.step(StepState.CHECKING, (activation.healthUrl().isEmpty()
                    ? "running '" + profile.healthCommand() + "' in " + root
                    : "fetching " + activation.healthUrl() + " on the server")
                    + " after the reboot, expecting " + activation.expected(checked));
        }

        /** What the unit checking the rebooted release says: the outcome, or {@code null} when healthy. */
        private Ending concludeCheck(String id, UnitReport found) {
            UnitReport report = found.started() || found.alive() ? found : launch(SwitchUnit.CHECK, id);
            if (!report.ended()) {
                return new Ending(StepState.FAILED, null, "the unit " + id + " checking " + version + " after the "
                        + "reboot " + (report.alive() ? "still runs" : "ended without a word") + ": current points "
                        + "to " + version + ", not checked; upgrade the server again to reconcile it");
            }
            endedUnits.add(id);
            record(step, "the unit " + id + " ended " + report.end(), Map.of(JournalKeys.OUTCOME, report.end()));
            String health = report.healthProblem() == null ? "" : report.healthProblem();
            return switch (report.end()) {
                case UnitReport.SWITCHED_HEALTHY -> null;
                case UnitReport.SWITCHED_BACK_UNCHECKED -> rebootBack(health, id, false);
                case UnitReport.NOTHING_TO_ROLL_BACK -> nothingToRollBack(health);
                default -> rolledBack(health, report);
            };
        }

        /** The controller refused a release the server rebooted into: current goes back, then the server reboots. */
        private Ending switchBackForReboot(String reason) {
            String id = UUID.randomUUID().toString();
            record(StepState.INSTALLING, "switching back because " + reason,
                    Map.of(JournalKeys.SWITCH_BACK_UNIT, id, JournalKeys.ROLLBACK_REASON, reason));
            live("switch back");
            steps.step(StepState.INSTALLING, "switching back to " + previousVersion + " (" + previousTarget
                    + ") by the unit " + id + " because " + reason + "; the server reboots into it");
            return concludeSwitchBack(reason, id, launch(SwitchUnit.SWITCH_BACK, id));
        }

        private Ending concludeSwitchBack(String reason, String id, UnitReport found) {
            UnitReport report = found.started() || found.alive() ? found : launch(SwitchUnit.SWITCH_BACK, id);
            if (!report.ended()) {
                return new Ending(StepState.FAILED, null, reason + "; the unit " + id + " switching back "
                        + (report.alive() ? "still runs" : "ended without a word") + ": upgrade the server again to "
                        + "reconcile it");
            }
            endedUnits.add(id);
            record(step, "the unit " + id + " ended " + report.end(), Map.of(JournalKeys.OUTCOME, report.end()));
            return switch (report.end()) {
                case UnitReport.SWITCHED_BACK_UNCHECKED -> rebootBack(reason, id, false);
                case UnitReport.NOTHING_TO_ROLL_BACK -> nothingToRollBack(reason);
                default -> rolledBack(reason, report);
            };
        }

        /** current points to the previous release again: the server reboots into it, proven, then it is checked. */
        private Ending rebootBack(String reason, String rebootId, boolean ordered) {
            String[] order = ordered ? resumedOr(JournalKeys.REBOOT_BACK_ORDERED).split(" ", 2)
                    : new String[] {rebootId, bootId(rebootId)};
            Reboot proof = rebootAndProve(JournalKeys.REBOOT_BACK_ORDERED, order[0], order[1], ordered,
                    Map.of(JournalKeys.ROLLBACK_REASON, reason));
            if (!proof.proven()) {
                return new Ending(StepState.FAILED, null, reason + "; current points back to " + previousVersion
                        + ", but " + proof.problem() + (proof.reachable() ? ": " + version + " runs until the "
                        + "server reboots" : "") + "; upgrade the server again once it answers");
            }
            String id = UUID.randomUUID().toString();
            record(StepState.CHECKING, "checking " + previousVersion + " after the reboot back by the unit " + id,
                    Map.of(JournalKeys.CHECK_BACK_UNIT, id));
            announceCheckAfterReboot(previousVersion);
            return concludeCheckBack(reason, id, launch(SwitchUnit.CHECK_PREVIOUS, id));
        }

        private Ending concludeCheckBack(String reason, String id, UnitReport found) {
            UnitReport report = found.started() || found.alive() ? found : launch(SwitchUnit.CHECK_PREVIOUS, id);
            if (!report.ended()) {
                return new Ending(StepState.FAILED, null, reason + "; the unit " + id + " checking "
                        + previousVersion + " after the reboot back " + (report.alive() ? "still runs"
                        : "ended without a word") + ": upgrade the server again to reconcile it");
            }
            endedUnits.add(id);
            record(step, "the unit " + id + " ended " + report.end(), Map.of(JournalKeys.OUTCOME, report.end()));
            return rolledBack(reason, report);
        }

        /** A crash came after a reboot was ordered or a unit of the reboot path started: on from the last one. */
        private Optional<Ending> resumeReboot() {
            boolean beyondTheSwitch = Stream.of(JournalKeys.REBOOT_ORDERED, JournalKeys.CHECK_UNIT,
                    JournalKeys.SWITCH_BACK_UNIT, JournalKeys.REBOOT_BACK_ORDERED, JournalKeys.CHECK_BACK_UNIT)
                    .anyMatch(resumed::containsKey);
            if (resumed.containsKey(JournalKeys.ROLLBACK_UNIT) || !beyondTheSwitch) {
                // Only the switch was ordered: its unit's journal says whether it switched (then the reboot follows).
                return Optional.empty();
            }
            endedUnits.add(unit);
            String reason = resumed.getOrDefault(JournalKeys.ROLLBACK_REASON, "the check after the reboot failed");
            if (resumed.containsKey(JournalKeys.REBOOT_BACK_ORDERED)) {
                // The unit that pointed current back ended before the reboot back was ordered.
                Stream.of(JournalKeys.CHECK_UNIT, JournalKeys.SWITCH_BACK_UNIT).map(resumed::get)
                        .filter(id -> id != null).forEach(endedUnits::add);
            }
            String checkBack = resumed.get(JournalKeys.CHECK_BACK_UNIT);
            if (checkBack != null) {
                rebooted = true;
                return Optional.of(concludeCheckBack(reason, checkBack, settle(checkBack, readUnit(checkBack))));
            }
            if (resumed.containsKey(JournalKeys.REBOOT_BACK_ORDERED)) {
                rebooted = true;
                return Optional.of(rebootBack(reason, null, true));
            }
            String switchBack = resumed.get(JournalKeys.SWITCH_BACK_UNIT);
            if (switchBack != null) {
                rebooted = true;
                return Optional.of(concludeSwitchBack(reason, switchBack, settle(switchBack,
                        readUnit(switchBack))));
            }
            String check = resumed.get(JournalKeys.CHECK_UNIT);
            if (check != null) {
                rebooted = true;
                Ending checked = concludeCheck(check, settle(check, readUnit(check)));
                return Optional.of(checked != null ? checked : confirm());
            }
            return Optional.of(rebootIntoRelease(true));
        }

        /**
         * Records the order ({@code key}: the reboot's id and the boot id before), orders the reboot, and tries the
         * server with back-off until its boot id changed or the deadline passed.
         */
        private Reboot rebootAndProve(String key, String rebootId, String before, boolean ordered,
                                      Map<String, String> alsoRecorded) {
            if (!ordered) {
                recordAndOrderReboot(key, rebootId, before, alsoRecorded);
            } else {
                steps.step(StepState.RECONNECTING, "resuming: a reboot was ordered (boot id then " + before
                        + "); proving it");
            }
            return prove(rebootId, before);
        }

        /** Records the order ({@code key}: the reboot's id and the boot id before), then orders the reboot. */
        private void recordAndOrderReboot(String key, String rebootId, String before,
                                          Map<String, String> alsoRecorded) {
            String command = profile.activation().rebootCommand();
            Map<String, String> changes = new HashMap<>(alsoRecorded);
            changes.put(key, rebootId + " " + before);
            record(StepState.RESTARTING, "rebooting with '" + command + "' (boot id " + before + ")", changes);
            steps.step(StepState.RESTARTING, "rebooting " + steps.server() + " with '" + command + "' (boot id "
                    + before + "); waiting for it for at most " + seconds(reboot.deadline()));
            orderReboot(rebootId, command);
        }

        /**
         * Tries the server with back-off until its boot id changed or the deadline passed; orders the reboot again,
         * once, when the server says the order never reached it.
         */
        private Reboot prove(String rebootId, String before) {
            String command = profile.activation().rebootCommand();
            boolean reordered = false;
            boolean reachable = false;
            String last = "not tried yet";
            long deadline = System.nanoTime() + reboot.deadline().toNanos();
            Duration backOff = reboot.firstBackOff();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                pause(Duration.ofNanos(Math.min(backOff.toNanos(), left)));
                backOff = reboot.next(backOff);
                try {
                    commands.reconnect("prove that " + steps.server() + " rebooted");
                    RebootProof.Reading reading = RebootProof.parse(commands.execute("reading the boot id",
                            RebootProof.read(quote(root), rebootId, profile.activation().bootIdCommand()),
                            commandTimeout).stdout());
                    reachable = true;
                    if (!reading.bootId().isEmpty() && !reading.bootId().equals(before)) {
                        steps.step(StepState.RECONNECTING, steps.server() + " rebooted: boot id " + reading.bootId()
                                + ", was " + before);
                        return new Reboot(true, true, "");
                    }
                    if (reading.rebootCommandFailed()) {
                        return new Reboot(false, true, "the reboot command '" + command + "' failed with exit code "
                                + reading.exit() + (reading.output().isEmpty() ? "" : ": " + reading.output())
                                + ", so the server did not reboot (boot id still " + before + ")");
                    }
                    if (!reading.ordered() && !reordered) {
                        // The controller stopped between recording the order and sending it.
                        reordered = true;
                        orderReboot(rebootId, command);
                    }
                    last = "it answers with the same boot id " + before;
                } catch (RuntimeException e) {
                    if (leaseLost(e)) {
                        throw e;
                    }
                    reachable = false;
                    last = StepFailure.describe(e);
                }
                steps.step(StepState.RECONNECTING, "waiting for " + steps.server() + " to come back from its reboot: "
                        + last);
            }
            return reachable
                    ? new Reboot(false, true, "the server did not reboot within " + seconds(reboot.deadline())
                    + ": its boot id is still " + before)
                    : new Reboot(false, false, "the server did not come back within " + seconds(reboot.deadline())
                    + " after the reboot (" + last + ")");
        }

        // The connection may drop as the server goes down, before or after the answer: either way it was ordered.
        private void orderReboot(String rebootId, String command) {
            try {
                live("order the reboot");
                CommandResult result = commands.session().execute(RebootProof.order(quote(root), rebootId, command),
                        commandTimeout);
                if (!result.succeeded()) {
                    LOGGER.warn("Ordering the reboot failed: {}", result.problem());
                }
            } catch (RuntimeException e) {
                if (leaseLost(e)) {
                    throw e;
                }
                LOGGER.info("Ordering the reboot ended with {}: the server may be going down already",
                        StepFailure.describe(e));
            }
        }

        private UnitReport readUnit(String id) {
            return UnitReport.parse(run("reading the journal of the unit " + id,
                    "cd " + quote(root) + " && " + SwitchUnit.read(id), commandTimeout).stdout());
        }

        private String resumedOr(String key) {
            return journal.entries().getOrDefault(key, resumed.getOrDefault(key, "?"));
        }

        /** Whatever happened, the staging file and the scratch directory go; reconnecting when the session died. */
        private String cleanUp(boolean verified) {
            List<String> files = new ArrayList<>(temporaries);
            // The units' journals stay as the server's record (a verified one is what a later upgrade trusts), but a
            // first install that did not end verified leaves the server as it was.
            boolean leaveAsItWas = !verified && previousTarget == null;
            for (String ended : endedUnits) {
                if (!tidiedUnits.contains(ended)) {
                    SwitchUnit.sideFiles(ended).forEach(file -> files.add(root + "/" + file));
                }
                if (leaveAsItWas) {
                    files.add(root + "/" + SwitchUnit.journal(ended));
                }
            }
            boolean pruned = verified && endedUnits.stream().anyMatch(tidiedUnits::contains);
            if (root == null || files.isEmpty() && (!verified || pruned)) {
                return "";
            }
            String names = String.join(", ", files);
            try {
                live("clean up");
            } catch (RuntimeException e) {
                LOGGER.warn("Could not reconnect to remove {}: {}", names, StepFailure.describe(e));
                return "; could not reconnect to remove " + names + " (" + StepFailure.describe(e) + "): staging may "
                        + "hold a "
                        + "partial file, which is harmless: it is never used unverified";
            }
            try {
                String removal = files.isEmpty() ? "true" : "rm -rf -- " + files.stream().map(ShellWords::quote)
                        .collect(Collectors.joining(" "));
                run("removing " + names, removal + (verified ? " && " + SwitchUnit.prune(quote(root)) : ""),
                        commandTimeout);
                return "";
            } catch (RuntimeException e) {
                LOGGER.warn("Cleanup failed: {}", StepFailure.describe(e));
                return "; cleanup failed: " + StepFailure.describe(e);
            }
        }

        /**
         * Lines of {@link #createMissing(String)}, deepest first, kept to be written with the next journal entry
         * (the unit's) rather than in one of their own; a failure before it removes them from what is kept here.
         */
        private void rememberWithNextWrite(List<String> madeDeepestFirst) {
            for (int i = madeDeepestFirst.size() - 1; i >= 0; i--) {
                createdDirectories.add(madeDeepestFirst.get(i));
                createdUnwritten = true;
            }
        }

        /** Lines of {@link #createMissing(String)}, deepest first. */
        private void remember(List<String> madeDeepestFirst) {
            if (madeDeepestFirst.isEmpty()) {
                return;
            }
            for (int i = madeDeepestFirst.size() - 1; i >= 0; i--) {
                createdDirectories.add(madeDeepestFirst.get(i));
            }
            record(step, "created " + String.join(", ", madeDeepestFirst),
                    Map.of(JournalKeys.CREATED, String.join("\n", createdDirectories)));
        }

        // rmdir removes only empty directories: whatever someone else put there stays, with its parents.
        private void removeCreatedDirectories() {
            if (createdDirectories.isEmpty()) {
                return;
            }
            List<String> deepestFirst = new ArrayList<>(new LinkedHashSet<>(createdDirectories));
            Collections.reverse(deepestFirst);
            String names = String.join(", ", deepestFirst);
            try {
                live("remove the directories it created");
                CommandResult result = commands.session().execute("rmdir " + deepestFirst.stream()
                        .map(ShellWords::quote)
                        .collect(Collectors.joining(" ")), commandTimeout);
                if (!result.succeeded()) {
                    LOGGER.info("Not every directory this install created could go ({}): {}", names,
                            result.problem());
                }
            } catch (RuntimeException e) {
                LOGGER.warn("Could not remove the empty directories this install created ({}): {}", names,
                        StepFailure.describe(e));
            }
        }

        private void live(String purpose) {
            commands.live(purpose);
        }

        private Optional<String> mismatch(String directory, String manifest) {
            CommandResult result = execute("checking " + directory + " against " + MANIFEST,
                    mismatchCommand(directory, manifest), heavyTimeout);
            return result.succeeded() ? Optional.empty() : Optional.of(manifestProblem(directory, result));
        }

        private CommandResult run(String what, String command, Duration timeout) {
            return commands.run(what, command, timeout);
        }

        private CommandResult execute(String what, String command, Duration timeout) {
            return commands.execute(what, command, timeout);
        }
    }

    /**
     * Run on the server (in the login's directory): the root's physical path, {@link #STAGING_SECTION}, where
     * {@code current} points ({@link Installation#currentLinkCommand}) and the first look at whether the server can
     * take the release, each part behind its section line, the look's exit code last. With {@code make}, the root and
     * its staging directory are made when missing, each directory made printed before its section; without, nothing
     * is changed: it prints only when the root is there, and {@link #NO_STAGING} for a staging directory to be made
     * (by the transfer, in its own channel), where the making command would have printed its name.
     */
    private static String rootAndLook(ProductProfile profile, String target, boolean make) {
        String rootWord = profile.shellRoot();
        String look = InstallableState.command(".", profile.busyMarker(), profile.activation().busyCommand());
        String enter = make ? createMissing(rootWord) + " && cd " + rootWord
                : "cd " + rootWord + " 2>/dev/null && { [ -d staging ] || { [ ! -e staging ] && [ ! -L staging ]; }; }";
        return enter + " && pwd -P && echo " + STAGING_SECTION + " && "
                + (make ? createMissing("\"$(pwd -P)\"/staging")
                : "{ [ -d staging ] || echo " + NO_STAGING + "; }") + " && echo " + CURRENT_SECTION
                + " && " + Installation.currentLinkCommand(target) + " && echo " + LOOK_SECTION + " && { (" + look
                + "); echo \"" + LOOK_STATUS + "$?\"; }";
    }

    /**
     * A read-only command that prints what the install's first round trip on a server would print when the server
     * has its root and staging directory already (nothing to make), so that a caller can send it in the round trip
     * of its own read (the rollout's inspection) and hand the answer to {@link Installation#prepare(Optional)}.
     * Empty when the install of {@code release} takes no such look: its strategy does not unpack, or the profile or
     * release would be refused.
     */
    Optional<String> lookAhead(ProductProfile profile, Release release) {
        try {
            refuseUnsafe(profile, release, "");
            InstallStrategy strategy = InstallStrategy.of(profile, release);
            return strategy.unpacks() ? Optional.of(rootAndLook(profile, strategy.target(release.version()), false))
                    : Optional.empty();
        } catch (FleetupException e) {
            return Optional.empty();
        }
    }

    /**
     * The lines of a {@link #lookAhead} answer that can stand for the install's own first round trip: only when it
     * found the root there, staging a directory or nothing, {@code current} readable, and the look's command
     * succeeded (else the install
     * asks again, as it always did, and reports what went wrong in its own words).
     */
    static Optional<List<String>> lookedAhead(String printed) {
        List<String> lines = printed.lines().toList();
        int made = lines.indexOf(STAGING_SECTION);
        int current = lines.indexOf(CURRENT_SECTION);
        return made == 1 && (current == made + 1 || current == made + 2 && lines.get(made + 1).equals(NO_STAGING))
                && lines.indexOf(LOOK_SECTION) > current
                && lines.get(lines.size() - 1).equals(LOOK_STATUS + "0") ? Optional.of(lines) : Optional.empty();
    }

    private static String seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000) + " s";
    }

    // Only a caller that runs every step at once waits here; a route stops and comes back at resumeAt.
    private static void pause(Duration duration) {
        try {
            Thread.sleep(Math.max(0, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailure("interrupted while waiting for the server to become installable");
        }
    }

    private static String versionOf(String releaseTarget) {
        String trimmed = releaseTarget.replaceAll("/+$", "");
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    // BusyBox's sha256sum has neither --quiet nor --strict: the lines of the files that match are left out here, once
    // one did not (a match costs no grep), and a malformed manifest never gets this far (the store checks every line
    // of it, and the server checks the artifact's SHA-256 before unpacking it).
    private static String mismatchCommand(String directory, String manifest) {
        return "cd " + quote(directory) + " || exit 2; sums=$(sha256sum -c " + quote(manifest) + " 2>&1); status=$?; "
                + "[ $status -eq 0 ] || printf '%s\\n' \"$sums\" | grep -v ': OK$'; exit $status";
    }

    /**
     * "file lib/app.jar does not match the manifest", from what {@code sha256sum -c} printed. A missing file is GNU's
     * {@code x: FAILED open or read}, or BusyBox's {@code x: FAILED} beside {@code sha256sum: can't open 'x'}.
     */
    static String manifestProblem(String directory, CommandResult result) {
        for (String line : result.stdout().lines().toList()) {
            int at = line.lastIndexOf(": FAILED");
            if (at > 0) {
                String listed = line.substring(0, at);
                String file = listed.replaceFirst("^\\./", "");
                return line.endsWith("open or read") || result.stdout().contains("can't open '" + listed + "'")
                        ? "file " + file + " listed in the manifest is missing from " + directory
                        : "file " + file + " does not match the manifest";
            }
        }
        return "checking " + directory + " against " + MANIFEST + " failed: " + result.problem();
    }

    /**
     * {@code mkdir -p} that first prints, one a line and deepest first, the directories it is about to make: so that
     * a first install that fails can take away exactly what it made. One that is there already costs no process, and
     * the parents are found by the shell itself, as {@code dirname} would name them.
     */
    static String createMissing(String word) {
        return "fleetup_dir=" + word + "; while [ ! -e \"$fleetup_dir\" ] && [ ! -L \"$fleetup_dir\" ]; do "
                + "printf '%s\\n' \"$fleetup_dir\"; " + PARENT + "; done; [ -d " + word + " ] || mkdir -p " + word;
    }

    private static String firstLine(CommandResult result) {
        return result.stdout().lines().findFirst().map(String::strip).orElse("");
    }

    private static String randomToken() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
