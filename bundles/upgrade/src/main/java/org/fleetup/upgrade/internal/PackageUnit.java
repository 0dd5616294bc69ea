package org.fleetup.upgrade.internal;

import static org.fleetup.api.ShellWords.quote;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.CommandResult;

/**
 * The package strategy: a {@code .deb} installed by {@code dpkg}, an {@code .rpm} by {@code rpm}, in the detached
 * unit. The version installed before is read (and recorded in the journals) before anything changes; once installed,
 * a copy of the package is kept as {@code <root>/packages/<name>_<version>.<deb|rpm>}, so that a later failed health
 * check can reinstall the previous package from it. With no such copy the unit fails, saying there is nothing to
 * reinstall; a first install that fails is removed ({@code dpkg -r}, {@code rpm -e}).
 *
 * <p>The package manager is the profile's {@code packageCommand} (for {@code sudo}, or {@code dpkg --root ...} for a
 * login that is not root), {@code dpkg} or {@code rpm} when empty; this class adds the action and its argument.
 */
final class PackageUnit implements InstallStrategy {

    /** Where the installed packages are kept, under the root. */
    static final String KEPT = "packages";

    /** A package manager's words for installing, reinstalling an older version, removing and querying. */
    enum Manager {
        DPKG("deb", "dpkg", "-i", "-r"),
        RPM("rpm", "rpm", "-U --oldpackage --replacepkgs", "-e");

        final String extension;
        final String defaultCommand;
        final String install;
        final String remove;

        Manager(String extension, String defaultCommand, String install, String remove) {
            this.extension = extension;
            this.defaultCommand = defaultCommand;
            this.install = install;
            this.remove = remove;
        }

        /**
         * Prints the installed version of the package named {@code nameWord}; exit code 1 when none is (rpm prints
         * "not installed" then, which is no version).
         */
        String query(String command, String nameWord) {
            if (this == RPM) {
                return command + " -q --qf '%{VERSION}\\n' " + nameWord;
            }
            // dpkg -s passes the manager's options (--root, --admindir) on to dpkg-query; a removed package may
            // keep a status that is not "installed".
            return "fleetup_status=$(" + command + " -s " + nameWord + " 2>/dev/null); fleetup_code=$?; "
                    + "if [ $fleetup_code -eq 1 ]; then exit 1; fi; "
                    + "if [ $fleetup_code -ne 0 ]; then " + command + " -s " + nameWord + " >/dev/null; exit 2; fi; "
                    + "printf '%s\\n' \"$fleetup_status\" | grep -q '^Status: .* installed$' || exit 1; "
                    + "printf '%s\\n' \"$fleetup_status\" | sed -n 's/^Version: //p'";
        }

        /** Prints the named field of the package file {@code fileWord}: {@code Package}/{@code Name}, version. */
        String field(String fileWord, boolean name) {
            return this == DPKG
                    ? "dpkg-deb -f " + fileWord + " " + (name ? "Package" : "Version")
                    : "rpm -qp --qf " + quote(name ? "%{NAME}\n" : "%{VERSION}\n") + " " + fileWord;
        }
    }

    // Defines point (install, or reinstall the previous), withdraw (remove a first install) and remove_failed.
    private static final String FUNCTIONS = """
            pointing_to=installing pointing_back=reinstalling withdrawing='could not remove the package'
            pm() {
              sh -c "$manager $1 \\"\\$@\\"" fleetup-package "$2" </dev/null 2>"$errors" && return 0
              pm_status=$?; cat "$errors" >&2; return $pm_status
            }
            kept() { printf '%s/%s_%s.%s' "$kept_dir" "$name" "$1" "$extension"; }
            point() {
              if [ "$1" = "$target" ]; then
                pm "$install_args" "$artifact" || return 1
                # The copy a later rollback reinstalls: whole, or not there.
                mkdir -p "$kept_dir" 2>"$errors" && cp "$artifact" "$(kept "$version").part" 2>"$errors" \\
                  && mv -f "$(kept "$version").part" "$(kept "$version")" 2>"$errors"
              elif [ -f "$(kept "$1")" ]; then
                pm "$install_args" "$(kept "$1")"
              else
                printf '%s\\n' "no copy of $name $1 in $(pwd -P)/$kept_dir to reinstall: install it by hand" >"$errors"
                return 1
              fi
            }
            withdraw() { pm "$remove_args" "$name"; }
            remove_failed() { rm -f -- "$(kept "$version")" "$(kept "$version").part"; }
            """;

    private final Manager manager;
    private final String command;
    private final String name;

    PackageUnit(Manager manager, String command, String name) {
        this.manager = manager;
        this.command = command.isBlank() ? manager.defaultCommand : command;
        this.name = name;
    }

    static PackageUnit of(ProductProfile profile, Release release) {
        Manager manager = release.fileName().toLowerCase(Locale.ROOT).endsWith(".rpm") ? Manager.RPM : Manager.DPKG;
        ProductProfile.Installer installer = profile.installer();
        return new PackageUnit(manager, installer.packageCommand(),
                installer.packageName().isBlank() ? release.product() : installer.packageName());
    }

    @Override
    public String name() {
        return ProductProfile.Installer.PACKAGE;
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
        return "." + manager.extension;
    }

    @Override
    public Optional<String> installed(ServerCommands commands, String rootWord, Duration timeout) {
        String what = "reading the installed version of the package " + name;
        CommandResult result = commands.execute(what, "cd " + rootWord + " && { " + manager.query(command,
                quote(name)) + "; }", timeout);
        if (result.exitCode() == 1) {
            return Optional.empty();
        }
        if (!result.succeeded()) {
            throw new StepFailure(what + " failed: " + result.problem());
        }
        return Optional.of(result.stdout().lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst()
                .orElseThrow(() -> new StepFailure(what + " printed no version")));
    }

    /** The package must be the one the profile names, at the release's version: else nothing is installed. */
    @Override
    public void checkStaged(ServerCommands commands, String staging, String version, Duration timeout) {
        String found = field(commands, staging, true, timeout);
        if (!found.equals(name)) {
            throw new StepFailure("the package is named '" + found + "', not '" + name + "' as the product profile "
                    + "says (packageName): nothing was installed; fix the profile's packageName or the package");
        }
        String packaged = field(commands, staging, false, timeout);
        if (!packaged.equals(version)) {
            throw new StepFailure("the package " + name + " is version '" + packaged + "', not the release's "
                    + version + ": nothing was installed; add it to the store under its own version");
        }
    }

    private String field(ServerCommands commands, String staging, boolean name, Duration timeout) {
        return commands.run("reading the " + (name ? "name" : "version") + " of the package " + staging,
                manager.field(quote(staging), name), timeout).stdout().strip();
    }

    @Override
    public String unitFunctions(String staging) {
        return "artifact=" + quote(staging) + " name=" + quote(name) + " manager=" + quote(command)
                + " extension=" + manager.extension + " kept_dir=" + KEPT
                + " install_args=" + quote(manager.install) + " remove_args=" + quote(manager.remove) + "\n"
                + FUNCTIONS;
    }

    @Override
    public String undoneFirstInstall() {
        return "removed the package " + name + ", nothing of it is installed, as before";
    }

    @Override
    public String leftAfterFailedRollback(String version) {
        return "the package " + name + " " + version + " stays installed";
    }
}
