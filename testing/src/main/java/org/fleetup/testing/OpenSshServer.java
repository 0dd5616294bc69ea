package org.fleetup.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real OpenSSH {@code sshd} on 127.0.0.1, of the test's own: its own port, host key, configuration and server root
 * (the login's {@code $HOME}, and the directory every session starts in). It logs in the user running the test with a
 * key of its own, and it is stopped by its own process handle, children included, never by a broad kill.
 *
 * <p>What the Java simulator cannot show lives here: OpenSSH's own handling of channels (a non-pty command is not
 * signalled when its channel closes), its own SFTP server, and a server whose only tools are BusyBox's.
 */
public final class OpenSshServer implements AutoCloseable {

    public static final Path SSHD = Path.of("/usr/sbin/sshd");
    public static final Path SFTP_SERVER = Path.of("/usr/lib/openssh/sftp-server");
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /** How a server is made. */
    public static final class Options {

        private boolean busyBoxOnly;
        private boolean sftpOnly;
        private String name = "openssh";
        private long fileSizeLimit;

        /** The server's shell and every tool on its {@code PATH} are BusyBox's, as on an embedded Linux box. */
        public Options busyBoxOnly() {
            this.busyBoxOnly = true;
            return this;
        }

        /**
         * A full disk: no file of a session may grow past {@code bytes} (RLIMIT_FSIZE, as {@code prlimit} sets it);
         * a process that writes past it gets SIGXFSZ, which ends it, SFTP's server included.
         */
        public Options fileSizeLimit(long bytes) {
            this.fileSizeLimit = bytes;
            return this;
        }

        /**
         * SFTP and nothing else, as OpenSSH serves it with {@code ForceCommand internal-sftp}: every channel, a
         * command's or a shell's included, gets the SFTP server, started in the root; no shell ever runs.
         */
        public Options sftpOnly() {
            this.sftpOnly = true;
            return this;
        }

        /** A name for its directory and its host key's comment. */
        public Options name(String serverName) {
            this.name = serverName;
            return this;
        }
    }

    private final String name;
    private final Path directory;
    private final Path root;
    private final int port;
    private final Path clientKey;
    private final String hostKey;
    private final Process process;
    private Thread logPump;

    private OpenSshServer(String name, Path directory, Path root, int port, Path clientKey, String hostKey,
                          Process process) {
        this.name = name;
        this.directory = directory;
        this.root = root;
        this.port = port;
        this.clientKey = clientKey;
        this.hostKey = hostKey;
        this.process = process;
    }

    /** Whether this machine can run one: Debian's {@code openssh-server} (and, for BusyBox servers, {@code busybox}). */
    public static boolean available(Options options) {
        return Files.isExecutable(SSHD) && Files.isExecutable(SFTP_SERVER) && Files.isExecutable(Path.of("/usr/bin/ssh-keygen"))
                && (!options.busyBoxOnly || Files.isExecutable(BUSYBOX));
    }

    /** Starts a server with its files under {@code directory}, and returns once it listens. */
    public static OpenSshServer start(Path directory, Options options) throws IOException {
        if (!available(options)) {
            throw new IllegalStateException("OpenSSH's sshd" + (options.busyBoxOnly ? " or BusyBox" : "")
                    + " is not installed here: apt-get install openssh-server openssh-client busybox");
        }
        Path dir = Files.createDirectories(directory).toAbsolutePath();
        Path root = Files.createDirectories(dir.resolve("root"));
        Path hostKeyFile = dir.resolve("ssh_host_ecdsa_key");
        Path clientKey = dir.resolve("client_key");
        keygen(hostKeyFile, options.name);
        keygen(clientKey, "fleetup-test-client");
        Files.copy(Path.of(clientKey + ".pub"), dir.resolve("authorized_keys"));
        Path session = writeSession(dir, root, options);
        String user = System.getProperty("user.name");
        boolean root0 = "root".equals(user);
        if (root0) {
            // sshd refuses to start as root without its privilege separation directory.
            Files.createDirectories(Path.of("/run/sshd"));
        }
        int port = LoopbackPorts.free();
        Path config = dir.resolve("sshd_config");
        Files.write(config, List.of(
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + hostKeyFile,
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "AllowUsers " + user,
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin " + (root0 ? "prohibit-password" : "no"),
                "UsePAM no",
                // The test's directories live under /tmp, with its modes.
                "StrictModes no",
                "UseDNS no",
                "MaxStartups 100:30:200",
                "MaxSessions 50",
                "LogLevel INFO",
                "PrintMotd no",
                "PrintLastLog no",
                "X11Forwarding no",
                "AllowTcpForwarding no",
                "SetEnv HOME=" + root,
                // The login's home is the user's own: an SFTP-only server starts every channel in the root instead.
                "ForceCommand " + (options.sftpOnly ? "internal-sftp -d " + root : session),
                // The subsystem's path is what the forced session runs for an SFTP request.
                "Subsystem sftp " + (options.sftpOnly ? "internal-sftp" : SFTP_SERVER)));
        List<String> command = new ArrayList<>(List.of(SSHD.toString(), "-D", "-e", "-f", config.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        OpenSshServer server = new OpenSshServer(options.name, dir, root, port, clientKey,
                Files.readString(Path.of(hostKeyFile + ".pub")).strip().replaceFirst("\\s+\\S+$", ""), process);
        try {
            server.awaitListening(dir.resolve("sshd.log"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * Runs every session - command, shell or SFTP - in the root, as {@code $HOME}; on a BusyBox server, with BusyBox's
     * shell and a {@code PATH} of BusyBox's applets only.
     */
    private static Path writeSession(Path dir, Path root, Options options) throws IOException {
        List<String> lines = new ArrayList<>(List.of("#!/bin/sh", "cd \"$HOME\" || exit 1"));
        if (options.fileSizeLimit > 0) {
            lines.add("prlimit --pid $$ --fsize=" + options.fileSizeLimit + ":" + options.fileSizeLimit + " || exit 1");
        }
        if (options.busyBoxOnly) {
            Path applets = Files.createDirectories(dir.resolve("busybox-bin"));
            Process list = new ProcessBuilder(BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
            String names = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            waitFor(list, "busybox --list");
            for (String applet : names.lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
                Files.createSymbolicLink(applets.resolve(applet), BUSYBOX);
            }
            lines.add("PATH=" + applets);
            lines.add("export PATH");
            lines.add("SHELL=" + applets.resolve("sh"));
            lines.add("export SHELL");
            lines.add("[ -n \"$SSH_ORIGINAL_COMMAND\" ] || exec " + BUSYBOX + " sh -l");
            lines.add("exec " + BUSYBOX + " sh -c \"$SSH_ORIGINAL_COMMAND\"");
        } else {
            lines.add("[ -n \"$SSH_ORIGINAL_COMMAND\" ] || exec /bin/sh -l");
            lines.add("exec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"");
        }
        Path session = dir.resolve("session.sh");
        Files.write(session, lines);
        Files.setPosixFilePermissions(session, PosixFilePermissions.fromString("rwxr-xr-x"));
        return session;
    }

    /** Copies what sshd prints to a log file, and returns once it says that it listens. */
    private void awaitListening(Path log) throws IOException {
        logPump = ReadyLine.follow(process, log, line -> line.contains("Server listening on 127.0.0.1 port " + port),
                "sshd of " + name, "listen on 127.0.0.1:" + port, START_TIMEOUT);
    }

    public String name() {
        return name;
    }

    /** The server's root: its {@code $HOME}, where every session starts. */
    public Path root() {
        return root;
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** The login user: whoever runs the test. */
    public String user() {
        return System.getProperty("user.name");
    }

    /** The private key that logs in, OpenSSH format, no passphrase. */
    public Path clientKey() {
        return clientKey;
    }

    /** The server's public host key, OpenSSH form ({@code ecdsa-sha2-nistp256 AAAA...}). */
    public String hostKey() {
        return hostKey;
    }

    /** What sshd logged so far. */
    public String log() throws IOException {
        Path log = directory.resolve("sshd.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The process ids of everything this server runs now: its sessions and the commands they started. */
    public List<Long> descendants() {
        return process.descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
    }

    /** Stops the listener and every process it started (sessions, and commands still running in them). */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                handle.destroyForcibly();
            }
        }
        // sshd's last words ("terminating") are still being copied: a test's directory must not get its log back
        // while it is being deleted.
        if (logPump != null) {
            try {
                logPump.join(STOP_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void keygen(Path key, String comment) throws IOException {
        // ECDSA P-256 in PEM: what every client reads, MINA SSHD without an EdDSA provider (the tests') included.
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-m", "PEM", "-N", "",
                "-C", comment, "-f", key.toString()).redirectErrorStream(true).start();
        keygen.getOutputStream().close();
        String printed = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (waitFor(keygen, "ssh-keygen") != 0) {
            throw new IOException("ssh-keygen failed for " + key + ": " + printed);
        }
    }

    private static int waitFor(Process process, String what) throws IOException {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(what + " did not end within 30 s");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + what, e);
        }
    }
}
