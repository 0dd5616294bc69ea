package org.fleetup.comparison.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inspection.Inspection.Status;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Activation;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.transport.LoginSettings;
import org.junit.jupiter.api.Test;

class VersionPlannerTest {

    private static final String PRODUCT = "demo-app";

    /** The capabilities the real transports declare: ssh:// commands and files, sftp:// files, http:// orders. */
    private static final Map<String, Set<Capability>> CAPABILITIES = Map.of(
            "ssh", EnumSet.of(Capability.COMMANDS, Capability.FILES),
            "sftp", EnumSet.of(Capability.FILES),
            "http", EnumSet.of(Capability.ORDERS));

    private final VersionPlanner semantic = planner("semantic");
    private final Release release = release("2.0.0");

    @Test
    void leavesAnUnreachableServerAloneWithTheInspectionDetail() {
        PlanEntry entry = semantic.decide(release, inspection("web-01", Status.UNREACHABLE, null,
                "connection refused by 127.0.0.1:2201"), false);

        assertThat(entry).isEqualTo(new PlanEntry("web-01", null, Decision.UNREACHABLE,
                "connection refused by 127.0.0.1:2201"));
    }

    @Test
    void leavesAServerWhoseInspectionFailedUnknown() {
        PlanEntry entry = semantic.decide(release, inspection("web-01", Status.FAILED, null,
                "cat: VERSION: No such file or directory"), false);

        assertThat(entry).isEqualTo(new PlanEntry("web-01", null, Decision.UNKNOWN,
                "cat: VERSION: No such file or directory"));
    }

    @Test
    void installsOnAServerWithNothingInstalled() {
        PlanEntry entry = semantic.decide(release, inspection("web-01", Status.NOT_INSTALLED, null,
                "no $HOME/demo-app/current"), false);

        assertThat(entry).isEqualTo(new PlanEntry("web-01", null, Decision.INSTALL,
                "nothing installed (no $HOME/demo-app/current) -> 2.0.0"));
    }

    @Test
    void installsOnlyTheProductThatWasInspected() {
        Inspection otherProduct = new Inspection("web-01", "billing", Status.NOT_INSTALLED, null, "no current",
                Instant.now(), Duration.ofMillis(12));

        assertThat(semantic.decide(release, otherProduct, false).decision()).isEqualTo(Decision.UNKNOWN);
    }

    @Test
    void leavesAServerWithAnUnparsableAnswerUnknown() {
        PlanEntry entry = semantic.decide(release, inspection("web-01", Status.UNPARSABLE, null,
                "printed 'garbage', not a version"), false);

        assertThat(entry.decision()).isEqualTo(Decision.UNKNOWN);
        assertThat(entry.reason()).isEqualTo("printed 'garbage', not a version");
    }

    @Test
    void leavesAServerRunningAVersionOutsideTheSchemeUnknown() {
        PlanEntry entry = semantic.decide(release, running("web-01", "abc"), false);

        assertThat(entry).isEqualTo(new PlanEntry("web-01", "abc", Decision.UNKNOWN,
                "runs 'abc', not a semantic version"));
    }

    @Test
    void upgradesAServerRunningAnOlderVersion() {
        PlanEntry entry = semantic.decide(release, running("web-01", "1.4.2"), false);

        assertThat(entry).isEqualTo(new PlanEntry("web-01", "1.4.2", Decision.UPGRADE, "1.4.2 -> 2.0.0"));
    }

    @Test
    void upgradesAServerRunningAPreReleaseOfTheRelease() {
        PlanEntry entry = semantic.decide(release, running("web-01", "2.0.0-rc.1"), false);

        assertThat(entry.decision()).isEqualTo(Decision.UPGRADE);
    }

    @Test
    void leavesAServerRunningTheReleaseCurrent() {
        PlanEntry entry = semantic.decide(release, running("web-01", "2.0.0"), false);

        assertThat(entry).isEqualTo(new PlanEntry("web-01", "2.0.0", Decision.CURRENT, "runs 2.0.0 already"));
    }

    @Test
    void leavesAServerCurrentWhenItsVersionIsWrittenOtherwiseButTheSame() {
        PlanEntry entry = planner("maven").decide(release("2.0"), running("web-01", "2.0.0"), false);

        assertThat(entry).isEqualTo(new PlanEntry("web-01", "2.0.0", Decision.CURRENT,
                "runs 2.0.0, the same version as 2.0"));
    }

    @Test
    void neverDowngradesAServerRunningANewerVersion() {
        PlanEntry entry = semantic.decide(release, running("web-01", "2.0.1"), false);

        assertThat(entry).isEqualTo(new PlanEntry("web-01", "2.0.1", Decision.NEWER,
                "runs 2.0.1, newer than 2.0.0: left alone, never downgraded unless forced"));
    }

    @Test
    void downgradesANewerServerWhenForced() {
        PlanEntry entry = semantic.decide(release, running("web-01", "2.0.1"), true);

        assertThat(entry).isEqualTo(new PlanEntry("web-01", "2.0.1", Decision.UPGRADE,
                "downgrade 2.0.1 -> 2.0.0, forced"));
    }

    @Test
    void forcingChangesNothingForACurrentServer() {
        assertThat(semantic.decide(release, running("web-01", "2.0.0"), true).decision()).isEqualTo(Decision.CURRENT);
    }

    @Test
    void comparesInTheSchemeOfTheProductProfile() {
        PlanEntry entry = planner("debian").decide(release("1.0"), running("web-01", "1.0~rc1"), false);

        assertThat(entry).isEqualTo(new PlanEntry("web-01", "1.0~rc1", Decision.UPGRADE, "1.0~rc1 -> 1.0"));
    }

    @Test
    void leavesAnInspectionOfAnotherProductUnknown() {
        Inspection other = new Inspection("web-01", "other-app", Status.OK, "1.0.0", null, Instant.now(),
                Duration.ofMillis(5));

        PlanEntry entry = semantic.decide(release, other, false);

        assertThat(entry.decision()).isEqualTo(Decision.UNKNOWN);
        assertThat(entry.reason()).isEqualTo("inspected for product other-app, not demo-app");
    }

    @Test
    void refusesToDecideForAReleaseWhoseVersionIsMalformed() {
        assertThatThrownBy(() -> semantic.decide(release("2.x"), running("web-01", "1.0.0"), false))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.VERSION_MALFORMED))
                .hasMessageContaining("demo-app/2.x")
                .hasMessageContaining("'2.x' is not a semantic version");
    }

    @Test
    void refusesToPlanAReleaseWhoseVersionIsMalformedEvenForNoServer() {
        assertThatThrownBy(() -> semantic.plan(release("2.x"), List.of(), false))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.VERSION_MALFORMED));
    }

    @Test
    void refusesAProductWhoseProfileNamesAnUnknownScheme() {
        assertThatThrownBy(() -> planner("calver").decide(release, running("web-01", "1.0.0"), false))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SCHEME_UNKNOWN));
    }

    @Test
    void plansEveryServerInTheOrderGiven() {
        Instant before = Instant.now();

        Plan plan = semantic.plan(release, List.of(running("web-03", "2.0.1"), running("web-01", "1.4.2"),
                inspection("web-02", Status.UNREACHABLE, null, "timed out"), running("web-04", "2.0.0"),
                running("web-05", "abc"), inspection("web-06", Status.NOT_INSTALLED, null, "no current")), false);

        assertThat(plan.release()).isEqualTo(release);
        assertThat(plan.entries()).extracting(PlanEntry::server, PlanEntry::decision).containsExactly(
                tuple("web-03", Decision.NEWER),
                tuple("web-01", Decision.UPGRADE),
                tuple("web-02", Decision.UNREACHABLE),
                tuple("web-04", Decision.CURRENT),
                tuple("web-05", Decision.UNKNOWN),
                tuple("web-06", Decision.INSTALL));
        assertThat(plan.counts()).containsEntry(Decision.INSTALL, 1L).containsEntry(Decision.UPGRADE, 1L);
        assertThat(plan.createdAt()).isBetween(before, Instant.now());
    }

    @Test
    void namesAStrategyOtherThanReleaseDirectoriesInTheDecision() {
        VersionPlanner packages = new VersionPlanner(new DefaultVersionSchemes(), new FixedProfiles(
                new ProductProfile(PRODUCT, "$HOME/demo-app", "cat current/VERSION", "cat current/VERSION",
                        "semantic", ProductProfile.DEFAULT_BUSY_MARKER, ProductProfile.Installer.DEFAULT)));
        Release deb = new Release(PRODUCT, "2.0.0", "os", "0".repeat(64), 1024, "demo-app_2.0.0_all.deb",
                Instant.now());

        Plan plan = packages.plan(deb, List.of(running("web-01", "1.0.0"), running("web-02", "2.0.0")), false);

        assertThat(plan.entries()).extracting(PlanEntry::server, PlanEntry::decision, PlanEntry::reason)
                .containsExactly(tuple("web-01", Decision.UPGRADE, "1.0.0 -> 2.0.0, by the package strategy"),
                        tuple("web-02", Decision.CURRENT, "runs 2.0.0 already"));
    }

    @Test
    void refusesAtPlanTimeAReleaseItsStrategyCannotInstall() {
        VersionPlanner scripts = new VersionPlanner(new DefaultVersionSchemes(), new FixedProfiles(
                new ProductProfile(PRODUCT, "$HOME/demo-app", "cat current/VERSION", "cat current/VERSION",
                        "semantic", ProductProfile.DEFAULT_BUSY_MARKER,
                        new ProductProfile.Installer("script", "", "", "", "", "", ""))));

        assertThatThrownBy(() -> scripts.plan(release, List.of(running("web-01", "1.0.0")), false))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageContaining("the script strategy needs an installCommand");
    }

    @Test
    void refusesADebianPackageForAServerReachedOverSftp() {
        Release deb = new Release(PRODUCT, "2.0.0", "application", "0".repeat(64), 1024, "demo-app_2.0.0_all.deb",
                Instant.now());

        assertThatThrownBy(() -> semantic.requireCapable(deb, offered(server("ssh-01", "ssh"),
                server("sftp-01", "sftp"))))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_INCAPABLE))
                .hasMessageContaining("sftp-01 is reached over sftp://, which runs no commands; the package strategy "
                        + "for demo-app_2.0.0_all.deb needs commands")
                .hasMessageContaining("Reach that server over ssh://")
                .hasMessageNotContaining("ssh-01");
    }

    @Test
    void refusesAProfileWithARestartCommandForAServerReachedOverSftpButNotOverSshOrAnAgent() {
        VersionPlanner restarting = new VersionPlanner(new DefaultVersionSchemes(), new FixedProfiles(
                new ProductProfile(PRODUCT, "$HOME/demo-app", "cat current/VERSION", "cat current/VERSION",
                        "semantic", ProductProfile.DEFAULT_BUSY_MARKER, new Activation("systemctl restart app",
                        Activation.Reboot.NEVER, "reboot", Activation.DEFAULT_BOOT_ID_COMMAND, "", "", ""))));

        restarting.requireCapable(release, offered(server("ssh-01", "ssh"), server("agent-01", "http")));
        assertThatThrownBy(() -> restarting.requireCapable(release, offered(server("sftp-01", "sftp"))))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_INCAPABLE))
                .hasMessageContaining("sftp-01 is reached over sftp://, which runs no commands; the restartCommand "
                        + "needs commands");
    }

    @Test
    void letsReleaseDirectoriesWithAVersionFileGoToAServerReachedOverSftp() {
        semantic.requireCapable(release, offered(server("sftp-01", "sftp"), server("ssh-01", "ssh")));
    }

    @Test
    void refusesAVersionCommandThatIsMoreThanReadingAFileForAServerReachedOverSftp() {
        VersionPlanner dmidecode = new VersionPlanner(new DefaultVersionSchemes(), new FixedProfiles(
                new ProductProfile(PRODUCT, "/", "dmidecode -s bios-version", "dmidecode -s bios-version",
                        "semantic")));

        assertThatThrownBy(() -> dmidecode.requireCapable(release, offered(server("sftp-01", "sftp"))))
                .hasMessageContaining("the versionCommand 'dmidecode -s bios-version' (only 'cat FILE' is read "
                        + "without a shell) needs commands");
    }

    private static Server server(String name, String scheme) {
        return new Server(name, Server.DEFAULT_CLUSTER, URI.create(scheme + "://127.0.0.1:2200"),
                LoginSettings.of("fleet", null),
                Map.of());
    }

    /** Each server with what the transport of its scheme can do, as the caller of the planner finds it. */
    private static Map<Server, Set<Capability>> offered(Server... servers) {
        Map<Server, Set<Capability>> offered = new LinkedHashMap<>();
        for (Server server : servers) {
            offered.put(server, CAPABILITIES.get(server.address().getScheme()));
        }
        return offered;
    }

    private static VersionPlanner planner(String scheme) {
        ProductProfile profile = new ProductProfile(PRODUCT, "$HOME/demo-app", "cat current/VERSION",
                "cat current/VERSION", scheme);
        return new VersionPlanner(new DefaultVersionSchemes(), new FixedProfiles(profile));
    }

    private static Release release(String version) {
        return new Release(PRODUCT, version, Release.DEFAULT_KIND, "0".repeat(64), 1024, "demo-app.tar.gz",
                Instant.now());
    }

    private static Inspection running(String server, String version) {
        return inspection(server, Status.OK, version, null);
    }

    private static Inspection inspection(String server, Status status, String version, String detail) {
        return new Inspection(server, PRODUCT, status, version, detail, Instant.now(), Duration.ofMillis(12));
    }

    /** Every product has the one profile. */
    private record FixedProfiles(ProductProfile profile) implements ProductProfiles {

        @Override
        public ProductProfile profile(String product) {
            return profile;
        }

        @Override
        public ProductProfile profile(String product, Server server) {
            return profile;
        }
    }
}
