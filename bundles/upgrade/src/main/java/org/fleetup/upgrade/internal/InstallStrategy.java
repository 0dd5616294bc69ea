package org.fleetup.upgrade.internal;

import java.time.Duration;
import java.util.Optional;

import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;

/**
 * How a staged, verified artifact becomes the running release of a server, and how the previous one comes back. Every
 * strategy runs its irreversible part in the same detached unit ({@link SwitchUnit}): same journal, same health check
 * under a deadline, same rollback on failure, so that {@link UnitReport} and a resumed install read them all alike.
 * A strategy other than release directories only replaces the unit's few shell functions that make a release run.
 */
interface InstallStrategy {

    /** {@link ProductProfile.Installer#DIRECTORIES}, {@code SCRIPT} or {@code PACKAGE}. */
    String name();

    /** Whether the artifact is unpacked into {@code releases/<version>} before the unit runs. */
    boolean unpacks();

    /** How the unit's journal names a release: {@code releases/<version>}, or the version itself. */
    String target(String version);

    /** The staging file's suffix, so that a tool on the server that goes by it finds what it expects. */
    String suffix();

    /**
     * The version installed now, read before anything changes; empty when nothing is. Only for a strategy that does
     * not {@link #unpacks() unpack}: release directories read where {@code current} points.
     *
     * @param rootWord the application root, a word for the shell
     */
    Optional<String> installed(ServerCommands commands, String rootWord, Duration timeout);

    /** Fails the step ({@link StepFailure}) when the staged artifact is not one to install, before anything changes. */
    void checkStaged(ServerCommands commands, String staging, String version, Duration timeout);

    /** The unit's shell functions for this strategy ({@code ""}: the switch's own), given the staged artifact. */
    String unitFunctions(String staging);

    /** What undoing a failed first install did, in words for people. */
    String undoneFirstInstall();

    /** What the server runs when the way back failed, in words for people. */
    String leftAfterFailedRollback(String version);

    /**
     * The strategy for {@code release} by the profile's installer ({@link ProductProfile.Installer#strategyFor}).
     *
     * @throws org.fleetup.api.FleetupException when the strategy and the release do not fit
     */
    static InstallStrategy of(ProductProfile profile, Release release) {
        return switch (profile.installer().strategyFor(release)) {
            case ProductProfile.Installer.SCRIPT -> new ScriptUnit(profile, release);
            case ProductProfile.Installer.PACKAGE -> PackageUnit.of(profile, release);
            default -> ReleaseDirectories.INSTANCE;
        };
    }

    /** The default: unpacked beside the running release, {@code current} switched by a rename. */
    final class ReleaseDirectories implements InstallStrategy {

        static final ReleaseDirectories INSTANCE = new ReleaseDirectories();

        private ReleaseDirectories() {
        }

        @Override
        public String name() {
            return ProductProfile.Installer.DIRECTORIES;
        }

        @Override
        public boolean unpacks() {
            return true;
        }

        @Override
        public String target(String version) {
            return "releases/" + version;
        }

        @Override
        public String suffix() {
            return ".tar.gz";
        }

        @Override
        public Optional<String> installed(ServerCommands commands, String rootWord, Duration timeout) {
            throw new UnsupportedOperationException("release directories read where current points");
        }

        @Override
        public void checkStaged(ServerCommands commands, String staging, String version, Duration timeout) {
            // The unpacking checks every file against the manifest.
        }

        @Override
        public String unitFunctions(String staging) {
            return "";
        }

        @Override
        public String undoneFirstInstall() {
            return "removed it and current, nothing is installed, as before";
        }

        @Override
        public String leftAfterFailedRollback(String version) {
            return "current still points to " + version;
        }
    }
}
