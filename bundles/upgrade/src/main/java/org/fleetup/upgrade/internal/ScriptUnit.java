package org.fleetup.upgrade.internal;

import static org.fleetup.api.ShellWords.quote;

import java.time.Duration;
import java.util.Optional;

import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.CommandResult;

/**
 * The script strategy: the profile's hooks install the staged artifact, in the detached unit, and its
 * {@code rollbackCommand} brings the previous version back when the health check fails. Without a rollback command
 * there is no way back, and the unit says so ({@code rollback-failed}).
 *
 * <p>Each hook runs in the root by {@code sh -c}, the artifact's path as {@code $1} and {@code FLEETUP_ARTIFACT}, the
 * target version as {@code FLEETUP_VERSION}, the previous one as {@code FLEETUP_PREVIOUS_VERSION} ({@code ""} for
 * none), the root as {@code FLEETUP_ROOT}; its output goes to the unit's log. A unit started again after it died runs
 * them again: hooks must be idempotent.
 */
final class ScriptUnit implements InstallStrategy {

    // Defines point (install, or roll back), withdraw (undo a first install) and remove_failed over the switch's.
    private static final String FUNCTIONS = """
            pointing_to=installing pointing_back='rolling back to' withdrawing='could not undo the install'
            hook() {
              [ -n "$2" ] || return 0
              FLEETUP_ARTIFACT=$artifact FLEETUP_VERSION=$version FLEETUP_PREVIOUS_VERSION=$previous_version \\
                FLEETUP_ROOT=$(pwd -P) sh -c "$2" "fleetup-$1" "$artifact" </dev/null 2>"$errors"
              hook_status=$?
              [ "$hook_status" -eq 0 ] && return 0
              cat "$errors" >&2
              hook_why=$(first_line "$errors")
              printf '%s\\n' "the $1 command failed with exit code $hook_status${hook_why:+: $hook_why}" >"$errors"
              return 1
            }
            back() {
              if [ -z "$rollback" ]; then
                printf '%s\\n' "the profile has no rollbackCommand, so there is no way back to \\
            ${previous_version:-the server as it was}: $version stays installed as its hooks left it" >"$errors"
                return 1
              fi
              hook rollback "$rollback"
            }
            point() {
              if [ "$1" = "$target" ]; then hook pre-install "$pre" && hook install "$install" && hook post-install "$post"
              else back; fi
            }
            withdraw() { back; }
            remove_failed() { :; }
            """;

    private final ProductProfile profile;
    private final String suffix;

    ScriptUnit(ProductProfile profile, Release release) {
        this.profile = profile;
        this.suffix = suffixOf(release.fileName());
    }

    /** The file name's extension ({@code .tar.gz} counts as one), so that a hook that goes by it finds it. */
    static String suffixOf(String fileName) {
        String name = fileName == null ? "" : fileName.substring(fileName.lastIndexOf('/') + 1);
        if (name.endsWith(".tar.gz")) {
            return ".tar.gz";
        }
        int dot = name.lastIndexOf('.');
        String extension = dot <= 0 ? "" : name.substring(dot);
        // It goes into a path on the server: anything but plain letters and digits is left out.
        return extension.matches("\\.[A-Za-z0-9]{1,16}") ? extension : ".artifact";
    }

    @Override
    public String name() {
        return ProductProfile.Installer.SCRIPT;
    }

    @Override
    public boolean unpacks() {
        return false;
    }

    @Override
    public String target(String version) {
        return version;
    }

    @Override
    public String suffix() {
        return suffix;
    }

    /**
     * What the profile's version command prints; nothing when it fails, as the inspection reads it. A command that
     * succeeds and prints nothing fails the step: taken for "nothing installed", a later failure would be rolled back
     * to nothing.
     */
    @Override
    public Optional<String> installed(ServerCommands commands, String rootWord, Duration timeout) {
        String what = "reading the installed version with '" + profile.versionCommand() + "'";
        CommandResult result = commands.execute(what, "cd " + rootWord + " && " + profile.versionCommand(), timeout);
        if (!result.succeeded()) {
            return Optional.empty();
        }
        return Optional.of(result.stdout().lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst()
                .orElseThrow(() -> new StepFailure(what + " printed nothing")));
    }

    @Override
    public void checkStaged(ServerCommands commands, String staging, String version, Duration timeout) {
        // What the hooks accept is theirs to say: the artifact is verified by its SHA-256.
    }

    @Override
    public String unitFunctions(String staging) {
        ProductProfile.Installer installer = profile.installer();
        return "artifact=" + quote(staging) + " pre=" + quote(installer.preInstallCommand())
                + " install=" + quote(installer.installCommand()) + " post=" + quote(installer.postInstallCommand())
                + " rollback=" + quote(installer.rollbackCommand()) + "\n" + FUNCTIONS;
    }

    @Override
    public String undoneFirstInstall() {
        return "its rollbackCommand ran, with no previous version";
    }

    @Override
    public String leftAfterFailedRollback(String version) {
        return version + " is left as the hooks left it: check the server";
    }
}
