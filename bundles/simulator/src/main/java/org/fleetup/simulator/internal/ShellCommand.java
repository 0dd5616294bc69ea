package org.fleetup.simulator.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exec request, run as a real sshd would: {@code /bin/sh -c <command>} in the host's root with a login
 * environment, its streams joined to the channel's, its exit status returned, and killed when the channel closes
 * (with what it started in its session; a process that left it with setsid goes on, as under sshd). The host's
 * {@link WriteFaults} strike its input; on a full disk it runs under a file size limit (the kernel's
 * {@code RLIMIT_FSIZE}, set by the shell's {@code ulimit -f}), as the benchmark's OpenSSH servers do.
 */
final class ShellCommand implements Command {

    private static final Logger LOGGER = LoggerFactory.getLogger(ShellCommand.class);
    private static final int BUFFER_SIZE = 8192;
    // The status a shell reports for a command that could not be run.
    private static final int NOT_RUN = 127;
    // In /proc/<pid>/stat after the command name: state, ppid, pgrp, session.
    private static final int SESSION_FIELD = 3;
    private static final long BLOCK = 512;
    /** How long a command whose link dropped is given to end by itself before the connection goes. */
    private static final Duration DROP_SETTLES = Duration.ofSeconds(5);

    private final String command;
    private final Path root;
    private final Map<String, String> environment;
    private final Executor pumps;
    private final WriteFaults faults;

    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exitCallback;
    private volatile Process process;
    /** Set when the link dropped under the input: what the command does after that reaches no one. */
    private volatile boolean dropped;

    ShellCommand(String command, Path root, Map<String, String> environment, Executor pumps, WriteFaults faults) {
        this.command = command;
        this.root = root;
        this.environment = environment;
        this.pumps = pumps;
        this.faults = faults;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exitCallback = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        long limit = faults.fileSizeLimitBytes();
        // ulimit -f counts blocks of 512 bytes (POSIX); the command runs as it would, in the same process.
        ProcessBuilder builder = (limit < 0 ? new ProcessBuilder("/bin/sh", "-c", command)
                : new ProcessBuilder("/bin/sh", "-c", "ulimit -f " + Math.max(1, limit / BLOCK) + " && exec /bin/sh -c"
                + " \"$0\"", command)).directory(root.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process started;
        try {
            started = builder.start();
        } catch (IOException e) {
            LOGGER.warn("Could not run /bin/sh in {}: {}", root, e.getMessage());
            exitCallback.onExit(NOT_RUN, "cannot run /bin/sh: " + e.getMessage());
            return;
        }
        process = started;
        ServerSession session = channel.getSession();
        pumps.execute(() -> feed(session, started));
        CompletableFuture<Void> stdout = CompletableFuture.runAsync(() -> drain(started.getInputStream(), out), pumps);
        CompletableFuture<Void> stderr = CompletableFuture.runAsync(() -> drain(started.getErrorStream(), err), pumps);
        // The status goes last: once it is sent the channel closes, so every byte of output must be out by then.
        CompletableFuture.allOf(stdout, stderr)
                .thenCompose(drained -> started.onExit())
                .whenComplete((exited, failure) -> {
                    if (!dropped) {
                        exitCallback.onExit(exited == null ? NOT_RUN : exited.exitValue());
                    }
                });
    }

    @Override
    public void destroy(ChannelSession channel) {
        Process running = process;
        if (running != null && running.isAlive()) {
            // A dropped connection ends what the command started, as sshd's hang-up would; but not what left its
            // session (setsid), which outlives the connection under sshd too: an on-server unit finishes.
            long session = session(running.pid());
            running.descendants().filter(child -> session(child.pid()) == session)
                    .forEach(ProcessHandle::destroyForcibly);
            running.destroyForcibly();
        }
    }

    /** The session id of a process, from Linux's /proc; -1 when it cannot be read (then every process matches). */
    private static long session(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses, so read after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[SESSION_FIELD]);
        } catch (IOException | RuntimeException unreadable) {
            return -1;
        }
    }

    private void feed(ServerSession session, Process started) {
        try (OutputStream to = started.getOutputStream()) {
            byte[] buffer = new byte[BUFFER_SIZE];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                WriteFaults.Admitted admitted = faults.admit(session, buffer, 0, read, false);
                to.write(buffer, 0, admitted.bytes());
                to.flush();
                if (admitted.dropConnection()) {
                    drop(session, started, to);
                    return;
                }
            }
        } catch (IOException e) {
            // The command ended or the channel closed; there is nobody left to tell.
            LOGGER.debug("stdin of a simulated command ended: {}", e.getMessage());
        }
    }

    /**
     * The link breaks: the command sees its input end, as under sshd, and has the time to write what it read (a
     * resumed transfer finds exactly the bytes that landed) before the connection closes and takes it down.
     */
    private void drop(ServerSession session, Process started, OutputStream input) throws IOException {
        dropped = true;
        input.close();
        try {
            started.waitFor(DROP_SETTLES.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        session.close(true);
    }

    private void drain(InputStream from, OutputStream to) {
        try (from) {
            pump(from, to);
        } catch (IOException e) {
            LOGGER.debug("output of a simulated command ended: {}", e.getMessage());
        }
    }

    private void pump(InputStream from, OutputStream to) throws IOException {
        byte[] buffer = new byte[BUFFER_SIZE];
        int read;
        while ((read = from.read(buffer)) >= 0) {
            if (dropped) {
                // The link is gone: what the command prints reaches no one, but it is read, so that it can end.
                continue;
            }
            to.write(buffer, 0, read);
            // Flushed at once: a command's output is read as it comes (progress, prompts), not when a buffer fills.
            to.flush();
        }
    }
}
