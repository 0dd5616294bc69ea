package org.fleetup.simulator.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.simulator.Fault;
import org.fleetup.simulator.DemoApplication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files through which a simulated host's faults act on the real tools that run on it: its boot id, the health
 * hook the demo application's launcher reads, the busy marker, the {@code reboot} on its PATH, and unwritable
 * directories. All under {@code <root>/.sim}, except what the faults make unwritable and the busy marker, which is
 * where the demo application's profile looks for it by default.
 */
final class FaultFiles {

    static final String SIM = ".sim";
    static final String BOOT_ID = SIM + "/boot_id";
    /** The default profile's marker ({@link ProductProfile#DEFAULT_BUSY_MARKER}) under the application root. */
    static final String BUSY = DemoApplication.PRODUCT + "/" + ProductProfile.DEFAULT_BUSY_MARKER;
    static final String BIN = SIM + "/bin";
    static final String REBOOT_REQUESTED = SIM + "/reboot-requested";

    private static final Logger LOGGER = LoggerFactory.getLogger(FaultFiles.class);
    private static final long CHATTR_SECONDS = 10;

    private FaultFiles() {
    }

    /** A new boot id, as Linux makes one at every boot. */
    static String newBootId(Path root) throws IOException {
        String id = UUID.randomUUID().toString();
        Files.createDirectories(root.resolve(SIM));
        Files.writeString(root.resolve(BOOT_ID), id + "\n", StandardCharsets.UTF_8);
        return id;
    }

    /**
     * The health hook of HEALTH_FAILS, HEALTH_HANGS and ROLLBACK_FAILS: every release but {@code healthyVersion}
     * (the one the host started with; {@code null}: none) fails or hangs its health command.
     */
    static void healthHook(Path root, Set<Fault> faults, String healthyVersion) throws IOException {
        String failure;
        if (faults.contains(Fault.HEALTH_HANGS)) {
            // A loop of short sleeps: killing the process tree ends it at once, and it never returns by itself.
            failure = "  while :; do sleep 60; done\n";
        } else if (faults.contains(Fault.ROLLBACK_FAILS)) {
            // Root ignores permissions, so the directory is also made immutable where chattr can.
            failure = "  chmod a-w \"$HOME/" + DemoApplication.PRODUCT + "\"\n"
                    + "  chattr +i \"$HOME/" + DemoApplication.PRODUCT + "\" 2>/dev/null\n"
                    + "  echo \"demo-app $demo_app_version: cannot start (simulated ROLLBACK_FAILS)\" >&2\n"
                    + "  exit 1\n";
        } else if (faults.contains(Fault.HEALTH_FAILS)) {
            failure = "  echo \"demo-app $demo_app_version: cannot start (simulated HEALTH_FAILS)\" >&2\n"
                    + "  exit 1\n";
        } else {
            return;
        }
        Files.createDirectories(root.resolve(SIM));
        Files.writeString(root.resolve(DemoApplication.HEALTH_HOOK), "# Written by the simulator: " + faults
                + "\nif [ \"$demo_app_version\" != '" + (healthyVersion == null ? "" : healthyVersion) + "' ]; then\n"
                + failure + "fi\n", StandardCharsets.UTF_8);
    }

    static void busyMarker(Path root) throws IOException {
        Files.createDirectories(root.resolve(BUSY).getParent());
        Files.writeString(root.resolve(BUSY), "busy (simulated BUSY)\n", StandardCharsets.UTF_8);
    }

    /** A {@code reboot} first on the PATH: it asks the simulator, then waits, as a real one, for the end. */
    static void rebootCommand(Path root) throws IOException {
        Path bin = Files.createDirectories(root.resolve(BIN));
        Path reboot = bin.resolve("reboot");
        Files.writeString(reboot, "#!/bin/sh\n"
                + "# Simulated REBOOT: the simulator takes the server down when this file appears.\n"
                + ": > \"$HOME/" + REBOOT_REQUESTED + "\"\n"
                + "sleep 60\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(reboot, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Makes {@code directory} unwritable, for root too where the file system can say so (chattr +i). */
    static void lock(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("r-xr-xr-x"));
        chattr("+i", directory);
    }

    /** Undoes {@link #lock}, so that the directory can be written and removed again; nothing when it is not there. */
    static void unlock(Path directory) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        chattr("-i", directory);
        try {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            LOGGER.warn("Could not make {} writable again: {}", directory, e.getMessage());
        }
    }

    private static void chattr(String change, Path directory) {
        try {
            Process process = new ProcessBuilder("chattr", change, directory.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(CHATTR_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            } else if (process.exitValue() != 0) {
                // Not root, or a file system without the attribute: permissions alone must do.
                LOGGER.debug("chattr {} {} ended {}", change, directory, process.exitValue());
            }
        } catch (IOException e) {
            LOGGER.debug("No chattr to run on {}: {}", directory, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
