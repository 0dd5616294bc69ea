package org.fleetup.api.release;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import org.fleetup.api.FleetupException;

/**
 * How a product's new release is brought to run and proven to run, beyond switching {@code current}: a restart
 * command, or a reboot proven by the server's boot id; an HTTP health check; and a command that says the server is
 * busy. Every command runs in the application root by the server's {@code /bin/sh}.
 *
 * @param restartCommand run after the switch and before the health check, and again after a switch back; empty:
 *        none. A restart that fails or passes its deadline fails the release as a failing health check does
 * @param reboot whether the server reboots after the switch ({@link Reboot})
 * @param rebootCommand reboots the server
 * @param bootIdCommand prints an id that changes at every boot: the proof that the server rebooted
 * @param healthUrl when not empty, the health check fetches it (with {@code curl}, else {@code wget}) instead of
 *        running the profile's health command: it must answer 2xx
 * @param healthExpect what the first line of the health check's answer must be; empty: the release's version
 * @param busyCommand when not empty, run before an install: exit 0 means busy, its first line of output saying why
 */
public record Activation(String restartCommand, Reboot reboot, String rebootCommand, String bootIdCommand,
                         String healthUrl, String healthExpect, String busyCommand) {

    /** Linux's boot id, new at every boot. */
    public static final String DEFAULT_BOOT_ID_COMMAND = "cat /proc/sys/kernel/random/boot_id";
    public static final String DEFAULT_REBOOT_COMMAND = "reboot";

    /** No restart, no reboot, the health command alone, the busy marker alone: a profile as it was before. */
    public static final Activation NONE = new Activation("", Reboot.NEVER, DEFAULT_REBOOT_COMMAND,
            DEFAULT_BOOT_ID_COMMAND, "", "", "");

    /** Whether a release reboots the server once {@code current} points to it. */
    public enum Reboot {
        /** Never: the restart command, if any, brings it to run. */
        NEVER,
        /** After every switch. */
        ALWAYS,
        /** By the release's kind: {@code bios}, {@code firmware} and {@code os} reboot; the others do not. */
        AUTO;

        private static final Set<String> REBOOTING_KINDS = Set.of("bios", "firmware", "os");

        /** @throws FleetupException {@link FleetupException#INVALID_INPUT} for anything but never, always, auto */
        public static Reboot parse(String value) {
            try {
                return valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new FleetupException(FleetupException.INVALID_INPUT, "reboot = '" + value + "' is neither "
                        + "never, always nor auto: fix it in etc/org.fleetup.profiles.cfg.");
            }
        }

        public boolean follows(Release release) {
            return this == ALWAYS || this == AUTO && REBOOTING_KINDS.contains(release.kind());
        }
    }

    public Activation {
        Objects.requireNonNull(restartCommand, "restartCommand");
        Objects.requireNonNull(reboot, "reboot");
        Objects.requireNonNull(rebootCommand, "rebootCommand");
        Objects.requireNonNull(bootIdCommand, "bootIdCommand");
        Objects.requireNonNull(healthUrl, "healthUrl");
        Objects.requireNonNull(healthExpect, "healthExpect");
        Objects.requireNonNull(busyCommand, "busyCommand");
    }

    /** What the health check of {@code version} must answer. */
    public String expected(String version) {
        return healthExpect.isEmpty() ? version : healthExpect;
    }
}
