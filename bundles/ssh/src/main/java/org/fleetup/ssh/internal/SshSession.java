package org.fleetup.ssh.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.fleetup.api.FleetupException;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;
import org.fleetup.ssh.SshSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One piece of work's use of an authenticated SSH connection to one server, carrying every command (an exec channel
 * each, the command wrapped so that its deadline ends it on the server: {@link KillableCommand}), with its input when
 * it has one, and every file transfer (one SFTP channel, opened on first use and kept until the session closes); each
 * transfer, and each command's input, held to a {@link TransferDeadline}. Closing hands the connection back to its
 * {@link ConnectionReturn}, which may keep it for the next session to the same server: this object is then dead for
 * good, whoever uses the connection next.
 */
final class SshSession implements Session {

    private static final Logger LOGGER = LoggerFactory.getLogger(SshSession.class);

    /** Enough for any version string or script report; a command printing more is cut, not buffered without end. */
    static final int OUTPUT_CAP_BYTES = 1024 * 1024;

    private static final Set<ClientChannelEvent> ENDED = EnumSet.of(ClientChannelEvent.CLOSED,
            ClientChannelEvent.EXIT_STATUS);

    /** How long the output of a command that ended is still waited for. */
    private static final Duration OUTPUT_GRACE = Duration.ofSeconds(2);

    /** How long a lost connection takes, at most, to be closed once its channels are. */
    private static final Duration CHANNEL_END_SETTLES = Duration.ofMillis(300);

    private final String server;
    private final ClientSession session;
    private final SshSettings settings;
    private final ConnectionReturn connectionReturn;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** False once work failed on the connection itself (or timed out): such a connection is not handed on. */
    private volatile boolean reusable = true;
    private SftpClient sftp;

    SshSession(String server, ClientSession session, SshSettings settings, ConnectionReturn connectionReturn) {
        this.server = server;
        this.session = session;
        this.settings = settings;
        this.connectionReturn = connectionReturn;
    }

    @Override
    public String server() {
        return server;
    }

    @Override
    public CommandResult execute(String command, Duration timeout) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(timeout, "timeout");
        return run(command, null, timeout, sent -> { });
    }

    @Override
    public CommandResult execute(String command, InputStream input, Duration timeout, LongConsumer progress) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(progress, "progress");
        return run(command, input, timeout, progress);
    }

    /** @param input the command's stdin, or null for none (closed at once) */
    private CommandResult run(String command, InputStream input, Duration timeout, LongConsumer progress) {
        requireOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        CappedOutputStream stdout = new CappedOutputStream(OUTPUT_CAP_BYTES);
        CappedOutputStream stderr = new CappedOutputStream(OUTPUT_CAP_BYTES);
        ChannelExec channel;
        try {
            channel = channel(KillableCommand.wrap(command), stdout, stderr);
        } catch (IOException e) {
            throw lost("run a command", e);
        }
        try {
            if (!start(channel, deadline, input == null)) {
                throw timedOut(timeout, "its channel did not open in time, so it may not have started");
            }
            if (input != null) {
                send(channel, input, progress);
                // The command's time counts from the last byte: sending is held to the transfer's deadline instead.
                deadline = System.nanoTime() + timeout.toNanos();
            }
            Set<ClientChannelEvent> events = channel.waitFor(ENDED, remaining(deadline));
            Integer exitStatus = channel.getExitStatus();
            if (exitStatus != null) {
                awaitTheEndOfItsOutput(channel, events, deadline);
                return new CommandResult(exitStatus, stdout.text(), KillableCommand.stderr(stderr.text()));
            }
            if (events.contains(ClientChannelEvent.TIMEOUT)) {
                throw timedOut(timeout, killOnServer(stderr.text()));
            }
            String signal = channel.getExitSignal();
            if (signal != null && session.isOpen()) {
                return new CommandResult(-1, stdout.text(),
                        KillableCommand.stderr(stderr.text()) + "\nkilled by signal " + signal);
            }
            throw lost("run a command", null);
        } catch (IOException e) {
            if (e instanceof InterruptedIOException) {
                Thread.currentThread().interrupt();
            }
            throw lost("run a command", e);
        } finally {
            // Closing the channel does not end the command on the server (sshd signals no command without a
            // terminal): one past its deadline was killed above.
            channel.close(true);
        }
    }

    /**
     * Sends {@code input} to the command's stdin and ends it, held to a {@link TransferDeadline} as an upload is. A
     * command that closed its channel meanwhile (it ended without reading all of it) is left to tell its exit status;
     * a connection lost or too slow fails the transfer.
     */
    private void send(ChannelExec channel, InputStream input, LongConsumer progress) {
        TransferDeadline deadline = new TransferDeadline(session.getFactoryManager().getScheduledExecutorService(),
                settings.connectTimeout(), settings.transferMinimumBytesPerSecond(), () -> ended(channel), () -> {
                    reusable = false;
                    session.close(true);
                });
        long sent = 0;
        try (deadline; OutputStream stdin = channel.getInvertedIn()) {
            byte[] buffer = new byte[settings.transferBufferBytes()];
            for (int read = readInput(input, buffer); read > 0; read = readInput(input, buffer)) {
                stdin.write(buffer, 0, read);
                sent += read;
                deadline.sent(sent);
                progress.accept(sent);
            }
            // Closing (by the try) sends what is buffered and then the end of the input.
        } catch (IOException e) {
            if (e instanceof InterruptedIOException) {
                Thread.currentThread().interrupt();
            }
            if (!deadline.missed() && ended(channel) && connectionStaysUp()) {
                LOGGER.debug("The command on {} ended after {} bytes of its input: {}", server, sent, e.getMessage());
                return;
            }
            String why = deadline.missed() ? tooSlow(sent, deadline.elapsed()) : settledReason(e);
            // As for an upload: a connection that failed under a transfer is closed now, for the next step to
            // reconnect at once.
            reusable = false;
            session.close(true);
            throw new FleetupException(FleetupException.TRANSPORT_FAILED, "Transfer to " + server + " failed after "
                    + sent + " bytes sent: " + why, e);
        }
    }

    /** Reads the local input: its failure is not the server's. */
    private int readInput(InputStream input, byte[] buffer) {
        try {
            return readFully(input, buffer);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read what was to be sent to " + server + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * sshd may send the exit status before the last of the output (it reports the command's exit as soon as it sees
     * it, while the pipe still holds data), and closes the channel once it sent it all: so the channel's close is
     * waited for too. A background process that keeps the output open is waited for no longer than
     * {@link #OUTPUT_GRACE}, within the command's deadline.
     */
    private static void awaitTheEndOfItsOutput(ChannelExec channel, Set<ClientChannelEvent> events, long deadline) {
        if (events.contains(ClientChannelEvent.CLOSED)) {
            return;
        }
        Duration left = remaining(deadline);
        channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), left.compareTo(OUTPUT_GRACE) < 0 ? left : OUTPUT_GRACE);
    }

    /**
     * Kills the process group a command past its deadline announced, through a channel of its own, and says what
     * became of the command, for the operator.
     */
    private String killOnServer(String stderrSoFar) {
        OptionalLong group = KillableCommand.group(stderrSoFar);
        if (group.isEmpty()) {
            return "it may still run on the server: it had not yet said which process group it runs in";
        }
        CappedOutputStream printed = new CappedOutputStream(OUTPUT_CAP_BYTES);
        String failure;
        try {
            ChannelExec kill = channel(KillableCommand.kill(group.getAsLong()), printed, printed);
            try {
                long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
                if (start(kill, deadline, true)) {
                    // Its answer may come after its exit status, as any command's: what it printed is read once the
                    // channel closed.
                    Set<ClientChannelEvent> events = kill.waitFor(ENDED, remaining(deadline));
                    if (kill.getExitStatus() != null) {
                        awaitTheEndOfItsOutput(kill, events, deadline);
                    }
                }
                failure = kill.getExitStatus() != null ? null
                        : "no answer within " + SessionOpener.seconds(settings.connectTimeout());
            } finally {
                kill.close(true);
            }
        } catch (IOException e) {
            if (e instanceof InterruptedIOException) {
                Thread.currentThread().interrupt();
            }
            failure = reason(e);
        }
        String answer = printed.text().strip();
        if (failure == null && answer.equals(KillableCommand.KILLED_GROUP)) {
            return "it was killed on the server, with every process it started";
        }
        if (failure == null && answer.equals(KillableCommand.KILLED_SHELL)) {
            return "its shell was killed on the server, but what it started may still run there (the server has no"
                    + " setsid to give it a process group of its own)";
        }
        return "it may still run on the server: killing its process group " + group.getAsLong() + " failed ("
                + (failure != null ? failure : answer) + ")";
    }

    private ChannelExec channel(String command, OutputStream stdout, OutputStream stderr) throws IOException {
        // Only OpenSSH is known to confirm taken input early enough for a backlog limit below half its window.
        ChannelExec channel = new PacedExecChannel(command,
                isOpenSsh(session.getServerVersion()) ? settings.transferBacklogBytes() : 0);
        session.getService(ConnectionService.class).registerChannel(channel);
        channel.setOut(stdout);
        channel.setErr(stderr);
        return channel;
    }

    /** Whether an SSH identification string is OpenSSH's ({@code SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10}). */
    private static boolean isOpenSsh(String serverVersion) {
        return serverVersion != null && serverVersion.startsWith("SSH-2.0-OpenSSH_");
    }

    /**
     * Opens the channel, which runs its command; false when it did not open before the deadline.
     *
     * @param noInput whether the command gets no input: its stdin is ended at once, so that a command reading it does
     *        not wait forever
     */
    private static boolean start(ChannelExec channel, long deadline, boolean noInput) throws IOException {
        OpenFuture opened = channel.open();
        if (!opened.await(remaining(deadline))) {
            return false;
        }
        if (!opened.isOpened()) {
            throw new IOException("the server refused a channel", opened.getException());
        }
        if (noInput) {
            channel.getInvertedIn().close();
        }
        return true;
    }

    @Override
    public void upload(InputStream content, String remotePath, long offset, LongConsumer progress) {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(remotePath, "remotePath");
        Objects.requireNonNull(progress, "progress");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be zero or more, not " + offset);
        }
        requireOpen();
        long position = offset;
        // Offset 0 starts the file anew; a resumed transfer keeps what is there and writes on from the offset.
        Set<OpenMode> modes = offset == 0 ? EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate)
                : EnumSet.of(OpenMode.Write, OpenMode.Create);
        // Past its deadline the connection is closed: that alone ends a write blocked on a server that stopped
        // reading, and the data still queued for it would hold up every later command on the same connection.
        SftpClient files;
        try {
            files = sftp();
        } catch (IOException e) {
            throw lost("open an SFTP channel to write " + remotePath, e);
        }
        // A write can wait on a channel whose server is gone (MINA's own send timeout is 30 s, and a close waits
        // again): the deadline also ends the transfer as soon as that channel is closing.
        // Read by the deadline before it closes the connection: whether the server had ended the SFTP channel on a
        // connection still up (its sftp-server killed, as by a full disk) while the write had not noticed yet, which
        // a loaded controller's writer may take longer than the deadline's grace to do.
        AtomicBoolean endedOnALiveConnection = new AtomicBoolean();
        TransferDeadline deadline = new TransferDeadline(session.getFactoryManager().getScheduledExecutorService(),
                settings.connectTimeout(), settings.transferMinimumBytesPerSecond(), () -> ended(files), () -> {
                    endedOnALiveConnection.set(ended(files) && session.isOpen());
                    reusable = false;
                    session.close(true);
                });
        try (deadline; OutputStream out = openAt(files, remotePath, modes, offset)) {
            byte[] buffer = new byte[settings.transferBufferBytes()];
            for (int read = readFully(content, buffer); read > 0; read = readFully(content, buffer)) {
                out.write(buffer, 0, read);
                position += read;
                deadline.sent(position - offset);
                progress.accept(position);
            }
            // Closing (by the try) waits for the server to acknowledge every write, so a refusal surfaces here.
        } catch (IOException e) {
            if (e instanceof InterruptedIOException) {
                Thread.currentThread().interrupt();
            }
            boolean serverEnded = !deadline.missed()
                    && (endedOnALiveConnection.get() || ended(files) && connectionStaysUp());
            String why = serverEnded ? "the server's SFTP server ended in the middle of it (killed by a file size"
                    + " limit when the disk is full: a full disk is the usual cause, check the free space on the server)"
                    : deadline.missed() ? tooSlow(position - offset, deadline.elapsed()) : settledReason(e);
            if (serverEnded && session.isOpen()) {
                // The connection itself is sound: the refusal is final, and the next command may use it.
                throw new FleetupException(FleetupException.TRANSPORT_FAILED, "Transfer to " + server
                        + " failed after " + position + " bytes sent: " + why, e);
            }
            if (!(e instanceof SftpException)) {
                // The connection itself failed (reset, broken pipe): MINA may take long to notice a half-dead TCP
                // connection, and a command sent over it meanwhile waits its whole timeout for a channel. Closed now,
                // the caller's next step reconnects at once.
                reusable = false;
                session.close(true);
            }
            // Bytes handed to the pipelined stream, not all acknowledged: the server's file may hold fewer.
            throw new FleetupException(FleetupException.TRANSPORT_FAILED, "Transfer to " + server + " failed after "
                    + position + " bytes sent: " + why, e);
        }
    }

    /**
     * Whether the connection outlives a channel that closed under the client's feet: a lost connection closes its
     * channels first, and is itself closed a moment later.
     */
    private boolean connectionStaysUp() {
        session.waitFor(EnumSet.of(ClientSessionEvent.CLOSED), CHANNEL_END_SETTLES);
        return session.isOpen();
    }

    /** Whether the command's channel was closed, or is being closed: its command ended, or the connection did. */
    private static boolean ended(ChannelExec channel) {
        return channel.isClosing() || !channel.isOpen();
    }

    /** Whether the SFTP channel was closed, or is being closed, under the client's feet: its server is gone. */
    private static boolean ended(SftpClient files) {
        return files.isClosing() || !files.isOpen();
    }

    private String tooSlow(long sent, Duration elapsed) {
        return "too slow, " + sent + " bytes in " + String.format(Locale.ROOT, "%.1f s", elapsed.toMillis() / 1000.0)
                + " where at least " + settings.transferMinimumBytesPerSecond() + " bytes/s are required (setting"
                + " transferMinimumBytesPerSecond, after " + SessionOpener.seconds(settings.connectTimeout())
                + " allowed for the start); it was stopped and the connection closed. Check the link to the server,"
                + " or lower transferMinimumBytesPerSecond in etc/org.fleetup.ssh.cfg.";
    }

    @Override
    public long remoteSize(String remotePath) {
        Objects.requireNonNull(remotePath, "remotePath");
        requireOpen();
        try {
            return sftp().stat(remotePath).getSize();
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return -1;
            }
            // The server's answer, such as permission denied: the connection itself is sound.
            throw new FleetupException(FleetupException.TRANSPORT_FAILED, "Could not read the size of " + remotePath
                    + " on " + server + ": " + reason(e) + ".", e);
        } catch (IOException e) {
            throw lost("read the size of " + remotePath, e);
        }
    }

    /** In the SFTP channel the transfer that follows uses: no session of its own. */
    @Override
    public boolean makeDirectory(String remotePath) {
        Objects.requireNonNull(remotePath, "remotePath");
        requireOpen();
        try {
            SftpClient files = sftp();
            try {
                files.mkdir(remotePath);
                return true;
            } catch (SftpException e) {
                // OpenSSH's sftp-server answers a directory that is there with a plain failure: looked at first.
                if (isDirectory(files, remotePath)) {
                    return false;
                }
                throw new FleetupException(FleetupException.TRANSPORT_FAILED, "Could not make the directory "
                        + remotePath + " on " + server + ": " + reason(e) + ".", e);
            }
        } catch (IOException e) {
            throw lost("make the directory " + remotePath, e);
        }
    }

    private static boolean isDirectory(SftpClient files, String remotePath) throws IOException {
        try {
            return files.stat(remotePath).isDirectory();
        } catch (SftpException e) {
            return false;
        }
    }

    @Override
    public boolean isOpen() {
        return !closed.get() && session.isOpen();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        SftpClient files;
        synchronized (this) {
            files = sftp;
        }
        if (files != null) {
            try {
                files.close();
            } catch (IOException e) {
                reusable = false;
                LOGGER.debug("Closing the SFTP channel to {} failed: {}", server, e.getMessage());
            }
        }
        connectionReturn.giveBack(session, reusable);
    }

    /** Where a session's connection goes when the session closes. */
    @FunctionalInterface
    interface ConnectionReturn {

        /** @param reusable false when the session's work failed on the connection, which must not be handed on */
        void giveBack(ClientSession connection, boolean reusable);
    }

    /**
     * A pipelined stream: each buffer goes out as one SFTP write without waiting for the previous one's answer, as
     * many in flight as the channel window allows, and the answers are checked as they come and at close.
     */
    private OutputStream openAt(SftpClient files, String remotePath, Set<OpenMode> modes, long offset)
            throws IOException {
        OutputStream out = files.write(remotePath, settings.transferBufferBytes(), modes);
        if (offset > 0) {
            if (!(out instanceof SftpOutputStreamAsync pipelined)) {
                out.close();
                throw new IOException("this SFTP client cannot write from an offset");
            }
            pipelined.setOffset(offset);
        }
        return out;
    }

    private synchronized SftpClient sftp() throws IOException {
        if (sftp == null || !sftp.isOpen()) {
            sftp = SftpClientFactory.instance().createSftpClient(session);
        }
        return sftp;
    }

    private void requireOpen() {
        if (!isOpen()) {
            throw new FleetupException(FleetupException.TRANSPORT_FAILED, "The session to " + server + " is closed"
                    + (closed.get() ? "" : " (the connection was lost)") + "; open a new one.");
        }
    }

    /** @param fate what became of the command on the server */
    private FleetupException timedOut(Duration timeout, String fate) {
        // The server may be wedged rather than the command slow: the next session had better prove it with a
        // handshake of its own.
        reusable = false;
        return new FleetupException(FleetupException.COMMAND_TIMEOUT, "A command on " + server + " did not finish"
                + " within " + SessionOpener.seconds(timeout) + ": " + fate + ". The session stays usable. Give the"
                + " command more time, or check the server.");
    }

    private FleetupException lost(String doing, Throwable cause) {
        reusable = false;
        return new FleetupException(FleetupException.TRANSPORT_FAILED, "Could not " + doing + " on " + server + ": "
                + reason(cause) + ".", cause);
    }

    /**
     * Why a transfer's write failed. A write the peer's end refused (broken pipe, reset) can come before MINA has
     * closed the session: the moment that takes is awaited first (at once when it is closed already), so that a lost
     * connection is told as one, not as the write's error.
     */
    private String settledReason(IOException failure) {
        connectionStaysUp();
        return reason(failure);
    }

    private String reason(Throwable failure) {
        // The socket is closed before the session that owns it notices: a write aborted by that close reaches us
        // while the session still reads as open.
        if (!session.isOpen() || !session.getIoSession().isOpen()) {
            // What MINA says then is about its own handles and futures, not about the server.
            return "the connection was lost";
        }
        return failure == null ? "the server closed the channel without an exit status" : message(failure);
    }

    private static String message(Throwable failure) {
        if (failure instanceof SftpException refusal) {
            return SftpRefusals.describe(refusal);
        }
        return Causes.message(failure);
    }

    /** At least a millisecond: MINA reads a zero or negative wait as "wait forever". */
    private static Duration remaining(long deadline) {
        return Duration.ofMillis(Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
    }

    /** Fills {@code buffer} unless the stream ends first; -1 when it had already ended. */
    private static int readFully(InputStream content, byte[] buffer) throws IOException {
        int read = content.readNBytes(buffer, 0, buffer.length);
        return read == 0 ? -1 : read;
    }
}
