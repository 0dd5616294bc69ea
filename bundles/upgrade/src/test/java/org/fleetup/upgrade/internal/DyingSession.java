package org.fleetup.upgrade.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

import org.awaitility.Awaitility;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;

/**
 * A session of a controller that dies at a chosen point: from then on nothing more reaches the server, and its
 * connections are gone ({@code die} closes the transport that made them, as the death of the JVM would). Also
 * counts what went through it: the commands, and the bytes each upload really sent.
 */
final class DyingSession implements Session {

    /** The controller's death: an {@link Error}, so that no catch of the code under test turns it into a result. */
    static final class ControllerDied extends Error {

        private static final long serialVersionUID = 1L;

        ControllerDied(String where) {
            super("the controller died " + where);
        }
    }

    private final Session delegate;
    private final Runnable die;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private Predicate<String> dieBefore = command -> false;
    private Predicate<String> dieWhileRunning = command -> false;
    private BooleanSupplier startedOnServer = () -> true;
    private long uploadLimit = Long.MAX_VALUE;
    private long sentBytes;
    private volatile boolean dead;

    DyingSession(Session delegate, Runnable die) {
        this.delegate = delegate;
        this.die = die;
    }

    /** Dies as the first command {@code matching} would be sent: it never reaches the server. */
    DyingSession dieBefore(Predicate<String> matching) {
        this.dieBefore = matching;
        return this;
    }

    /** Sends the first command {@code matching}, and dies once {@code started} says it runs on the server. */
    DyingSession dieWhileRunning(Predicate<String> matching, BooleanSupplier started) {
        this.dieWhileRunning = matching;
        this.startedOnServer = started;
        return this;
    }

    /** Dies after the first {@code bytes} of the first upload reached the server. */
    DyingSession dieAfterUploading(long bytes) {
        this.uploadLimit = bytes;
        return this;
    }

    List<String> commands() {
        return commands;
    }

    long sentBytes() {
        return sentBytes;
    }

    @Override
    public String server() {
        return delegate.server();
    }

    @Override
    public CommandResult execute(String command, Duration timeout) {
        alive();
        commands.add(command);
        if (dieBefore.test(command)) {
            die("before sending " + command.lines().findFirst().orElse(""));
        }
        if (dieWhileRunning.test(command)) {
            CompletableFuture.runAsync(() -> {
                try {
                    delegate.execute(command, timeout);
                } catch (RuntimeException e) {
                    // The connection goes with the controller.
                }
            });
            Awaitility.await("the command runs on the server").atMost(Duration.ofSeconds(30))
                    .until(startedOnServer::getAsBoolean);
            die("while the server runs a command");
        }
        return delegate.execute(command, timeout);
    }

    /**
     * A command sent with its input: the upload's death applies to the input (the server's command sees it end, as it
     * would when the connection goes), then the controller dies before it reads the answer.
     */
    @Override
    public CommandResult execute(String command, InputStream input, Duration timeout, LongConsumer progress) {
        alive();
        commands.add(command);
        if (dieBefore.test(command)) {
            die("before sending " + command.lines().findFirst().orElse(""));
        }
        long limit = uploadLimit;
        InputStream sent = limit == Long.MAX_VALUE ? input : new Truncated(input, limit);
        long[] reached = {0};
        CommandResult result = delegate.execute(command, sent, timeout, done -> {
            reached[0] = done;
            progress.accept(done);
        });
        sentBytes += reached[0];
        if (limit != Long.MAX_VALUE) {
            die("during the transfer");
        }
        return result;
    }

    @Override
    public void upload(InputStream content, String remotePath, long offset, LongConsumer progress) {
        alive();
        long limit = uploadLimit;
        InputStream sent = limit == Long.MAX_VALUE ? content : new Truncated(content, limit);
        delegate.upload(sent, remotePath, offset, progress);
        sentBytes += delegate.remoteSize(remotePath) - offset;
        if (limit != Long.MAX_VALUE) {
            die("during the transfer");
        }
    }

    @Override
    public long remoteSize(String remotePath) {
        alive();
        return delegate.remoteSize(remotePath);
    }

    @Override
    public boolean isOpen() {
        return !dead && delegate.isOpen();
    }

    @Override
    public void close() {
        if (!dead) {
            delegate.close();
        }
    }

    private void alive() {
        if (dead) {
            throw new ControllerDied("earlier");
        }
    }

    private void die(String where) {
        dead = true;
        die.run();
        throw new ControllerDied(where);
    }

    /** The first {@code limit} bytes of a stream: what reached the server before the controller died. */
    private static final class Truncated extends FilterInputStream {

        private long left;

        Truncated(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            left--;
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int read = super.read(b, off, (int) Math.min(len, left));
            if (read > 0) {
                left -= read;
            }
            return read;
        }
    }
}
