package org.fleetup.api.release;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fleetup.api.FleetupException;
import org.fleetup.api.ShellWords;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.transport.Capability.Need;

/**
 * How a product lives on a server. Values may name server attributes as {@code ${name}}, replaced by Fleetup (see
 * {@link ProductProfiles#profile(String, org.fleetup.api.inventory.Server)}).
 *
 * @param product the product
 * @param root the application root, a path: {@code releases/<version>/}, the {@code current} link and
 *        {@code staging/} are under it. A leading {@code ~}, {@code $HOME} or {@code ${HOME}} is the login's home
 *        directory; nothing else in it is expanded ({@link #shellRoot()})
 * @param versionCommand prints the running version, run in {@code root}; a command for the server's {@code /bin/sh}.
 *        When it fails and {@code root} holds no {@code current} link (or does not exist), nothing of the product is
 *        installed
 * @param healthCommand prints the version of the release {@code current} points to once it runs, run in {@code root}
 * @param scheme the version scheme ({@code semantic}, {@code maven}, {@code serial})
 * @param busyMarker a path that exists while the server is busy (no install then): under {@code root} when
 *        relative; a leading {@code ~} or {@code $HOME} is the login's home, as in {@code root}
 * @param installer how a release is installed ({@link Installer}); {@link Installer#DEFAULT} when {@code null}
 * @param activation the restart or reboot, the HTTP health check and the busy command ({@link Activation#NONE}:
 *        none of them, when {@code null})
 */
public record ProductProfile(String product, String root, String versionCommand, String healthCommand,
                             String scheme, String busyMarker, Installer installer, Activation activation) {

    /** {@code cat FILE}, one plain word: a version command that reading a file does as well as a shell. */
    private static final Pattern CAT_FILE = Pattern.compile("cat\\s+([A-Za-z0-9._/+@-]+)");

    /** The marker when a profile names none: {@code <root>/.busy}. */
    public static final String DEFAULT_BUSY_MARKER = ".busy";

    public ProductProfile {
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(versionCommand, "versionCommand");
        Objects.requireNonNull(healthCommand, "healthCommand");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(busyMarker, "busyMarker");
        installer = installer == null ? Installer.DEFAULT : installer;
        activation = activation == null ? Activation.NONE : activation;
    }

    /** A profile with the {@link Installer#DEFAULT} installer and no {@link Activation}. */
    public ProductProfile(String product, String root, String versionCommand, String healthCommand, String scheme,
                          String busyMarker) {
        this(product, root, versionCommand, healthCommand, scheme, busyMarker, Installer.DEFAULT, Activation.NONE);
    }

    /** A profile with {@code installer} and no {@link Activation}. */
    public ProductProfile(String product, String root, String versionCommand, String healthCommand, String scheme,
                          String busyMarker, Installer installer) {
        this(product, root, versionCommand, healthCommand, scheme, busyMarker, installer, Activation.NONE);
    }

    /** A profile with the {@link Installer#DEFAULT} installer and {@code activation}. */
    public ProductProfile(String product, String root, String versionCommand, String healthCommand, String scheme,
                          String busyMarker, Activation activation) {
        this(product, root, versionCommand, healthCommand, scheme, busyMarker, Installer.DEFAULT, activation);
    }

    /** A profile with the {@link #DEFAULT_BUSY_MARKER}. */
    public ProductProfile(String product, String root, String versionCommand, String healthCommand, String scheme) {
        this(product, root, versionCommand, healthCommand, scheme, DEFAULT_BUSY_MARKER);
    }

    /**
     * The root as one word for the server's shell ({@link ShellWords#path}): what every command that enters the root
     * writes, so that the inspection and the install reach the same directory. {@code ~/my apps} becomes
     * {@code "$HOME"/'my apps'}.
     */
    public String shellRoot() {
        return ShellWords.path(root);
    }

    /**
     * The file the version command reads, relative to the root unless absolute, when the command is only that
     * ({@code cat current/VERSION}): then a transport without commands reads the version from the file itself.
     */
    public Optional<String> versionFile() {
        Matcher cat = CAT_FILE.matcher(versionCommand.strip());
        return cat.matches() ? Optional.of(cat.group(1)) : Optional.empty();
    }

    /**
     * What installing {@code release} by this profile needs from the server's transport: release directories need
     * file transfer; a script or a package, a restart, a reboot, an HTTP health check, a busy command and a version
     * command that is more than {@code cat FILE} need commands. The health command is not among them: a server
     * reached without commands is checked by reading its version file back, which must name the release.
     *
     * @throws FleetupException as {@link Installer#strategyFor} when the strategy cannot install the release at all
     */
    public List<Need> needs(Release release) {
        List<Need> needs = new ArrayList<>();
        String strategy = installer.strategyFor(release);
        if (Installer.DIRECTORIES.equals(strategy)) {
            needs.add(new Need(Capability.FILES, "the release directories strategy"));
        } else {
            needs.add(new Need(Capability.COMMANDS, "the " + strategy + " strategy for " + release.fileName()));
        }
        if (versionFile().isEmpty()) {
            needs.add(new Need(Capability.COMMANDS, "the versionCommand '" + versionCommand + "' (only 'cat FILE' is "
                    + "read without a shell)"));
        }
        if (!activation.restartCommand().isBlank()) {
            needs.add(new Need(Capability.COMMANDS, "the restartCommand"));
        }
        if (activation.reboot().follows(release)) {
            needs.add(new Need(Capability.COMMANDS, "the reboot of a " + release.kind() + " release"));
        }
        if (!activation.healthUrl().isBlank()) {
            needs.add(new Need(Capability.COMMANDS, "the healthUrl"));
        }
        if (!activation.busyCommand().isBlank()) {
            needs.add(new Need(Capability.COMMANDS, "the busyCommand"));
        }
        return needs;
    }

    /**
     * How a release is installed on a server. The hooks are commands for the server's {@code /bin/sh}, run
     * in the root with the staged, verified artifact's path as {@code $1} and in {@code FLEETUP_ARTIFACT}, the target
     * version in {@code FLEETUP_VERSION}, the previous one ({@code ""} for none) in {@code FLEETUP_PREVIOUS_VERSION}.
     *
     * @param strategy {@code directories}, {@code script}, {@code package} or {@code auto} ({@link #strategyFor})
     * @param preInstallCommand run before {@code installCommand}; {@code ""} for none
     * @param installCommand installs the artifact (script strategy); {@code ""} for none
     * @param postInstallCommand run after {@code installCommand}, before the health check; {@code ""} for none
     * @param rollbackCommand brings the previous version back after a failed health check; {@code ""} for none, and
     *        then a failure after the install has no way back
     * @param packageName the name of the package (package strategy); {@code ""} for the product's name
     * @param packageCommand the package manager as invoked on the server, options included ({@code sudo dpkg},
     *        {@code dpkg --root=$HOME/sys --force-not-root}); {@code ""} for {@code dpkg} or {@code rpm} by the
     *        artifact's file name
     */
    public record Installer(String strategy, String preInstallCommand, String installCommand,
                            String postInstallCommand, String rollbackCommand, String packageName,
                            String packageCommand) {

        public static final String AUTO = "auto";
        public static final String DIRECTORIES = "directories";
        public static final String SCRIPT = "script";
        public static final String PACKAGE = "package";

        /** Release directories, unless the release's file or kind says otherwise ({@link #strategyFor}). */
        public static final Installer DEFAULT = new Installer(AUTO, "", "", "", "", "", "");

        public Installer {
            strategy = strategy == null || strategy.isBlank() ? AUTO : strategy.strip().toLowerCase(Locale.ROOT);
            preInstallCommand = Objects.requireNonNullElse(preInstallCommand, "");
            installCommand = Objects.requireNonNullElse(installCommand, "");
            postInstallCommand = Objects.requireNonNullElse(postInstallCommand, "");
            rollbackCommand = Objects.requireNonNullElse(rollbackCommand, "");
            packageName = Objects.requireNonNullElse(packageName, "");
            packageCommand = Objects.requireNonNullElse(packageCommand, "");
        }

        /**
         * The strategy that installs {@code release}: the configured one, or with {@code auto} a {@code .deb} or
         * {@code .rpm} file goes to {@code package}, an {@link ArtifactFormat#IMAGE image} and a {@code firmware} or
         * {@code bios} release with an {@code installCommand} to {@code script}, anything else to
         * {@code directories}.
         *
         * @throws FleetupException {@link FleetupException#RELEASE_INVALID} when the strategy cannot install the
         *         release (a package strategy for a file that is no {@code .deb} or {@code .rpm}, a directory strategy
         *         for a package or an image, a script strategy without {@code installCommand}), or is unknown
         */
        public String strategyFor(Release release) {
            ArtifactFormat format = ArtifactFormat.of(release.fileName()).orElse(ArtifactFormat.GZIP_TAR);
            boolean packaged = format.packaged();
            boolean image = format == ArtifactFormat.IMAGE;
            String chosen = switch (strategy) {
                case AUTO -> packaged ? PACKAGE
                        : image || !installCommand.isBlank() && ("firmware".equals(release.kind())
                        || "bios".equals(release.kind())) ? SCRIPT : DIRECTORIES;
                case DIRECTORIES, SCRIPT, PACKAGE -> strategy;
                default -> throw new FleetupException(FleetupException.RELEASE_INVALID, "The install strategy '"
                        + strategy + "' of the product profile is unknown: set strategy to directories, script, "
                        + "package or auto.");
            };
            if (PACKAGE.equals(chosen) && !packaged) {
                throw mismatch(release, "the package strategy installs only .deb and .rpm files, not '"
                        + release.fileName() + "': add the release as a package, or set the profile's strategy to "
                        + "directories or script");
            }
            if (DIRECTORIES.equals(chosen) && packaged) {
                throw mismatch(release, "'" + release.fileName() + "' is a package, which the release directories "
                        + "strategy cannot unpack: set the profile's strategy to package or auto");
            }
            if (DIRECTORIES.equals(chosen) && image) {
                throw mismatch(release, "'" + release.fileName() + "' is an image, which the release directories "
                        + "strategy cannot unpack: set the profile's strategy to script (or auto) with an "
                        + "installCommand that writes it");
            }
            if (SCRIPT.equals(chosen) && installCommand.isBlank()) {
                throw mismatch(release, "the script strategy needs an installCommand, and the product profile has "
                        + "none: set installCommand (and rollbackCommand, for a way back)");
            }
            return chosen;
        }

        private static FleetupException mismatch(Release release, String why) {
            return new FleetupException(FleetupException.RELEASE_INVALID, "Release " + release.coordinates()
                    + " (" + release.kind() + ") cannot be installed: " + why + ".");
        }
    }
}
