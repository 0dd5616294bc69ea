package org.fleetup.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import org.fleetup.api.FleetupException;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;

/**
 * The server the agent runs on, as the install library sees a server: commands through the local {@code /bin/sh},
 * run in the home directory as an SSH login's are, and "uploads" as writes to local files. With it the agent runs
 * the very procedure the SSH path runs, on-server unit and journal included.
 */
final class LocalSession implements Session {

    private static final int COPY_BUFFER = 64 * 1024;

    private final String name;
    private final Path home;
    private final Path scratch;
    private boolean open = true;

    /**
     * @param name the agent's id, which the steps name the server by
     * @param home where commands start
     * @param scratch where a command's output is kept while it runs
     */
    LocalSession(String name, Path home, Path scratch) {
        this.name = name;
        this.home = home;
        this.scratch = scratch;
    }

    @Override
    public String server() {
        return name;
    }

    @Override
    public CommandResult execute(String command, Duration timeout) {
        return run(command, null, timeout, sent -> { });
    }

    /** The input goes through a pipe; the command's time counts from its last byte, as over SSH. */
    @Override
    public CommandResult execute(String command, InputStream input, Duration timeout, LongConsumer progress) {
        return run(command, input, timeout, progress);
    }

    private CommandResult run(String command, InputStream input, Duration timeout, LongConsumer progress) {
        Path out = null;
        Path err = null;
        try {
            Files.createDirectories(scratch);
            out = Files.createTempFile(scratch, "command-", ".out");
            err = Files.createTempFile(scratch, "command-", ".err");
            // Output to files, not pipes: a process the command leaves behind (the detached unit) holds no pipe open
            // that the agent would wait on.
            Process process = new ProcessBuilder("/bin/sh", "-c", command).directory(home.toFile())
                    .redirectInput(input == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
                            : ProcessBuilder.Redirect.PIPE)
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (input != null) {
                feed(process, input, progress);
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                throw new FleetupException(FleetupException.COMMAND_TIMEOUT, "A command on " + name
                        + " ran longer than " + timeout.toSeconds() + " s and was killed with what it started.");
            }
            return new CommandResult(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new FleetupException(FleetupException.TRANSPORT_FAILED, "Could not run a command on " + name + ": "
                    + e.getMessage() + ". Check that /bin/sh exists and " + scratch + " is writable.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetupException(FleetupException.TRANSPORT_FAILED, "Interrupted while a command ran on "
                    + name + ".", e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    /**
     * A command that ends before it read all of its input (a full disk) tells by its exit status: its pipe broken,
     * the rest is not sent.
     */
    private static void feed(Process process, InputStream input, LongConsumer progress) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER];
        long sent = 0;
        OutputStream stdin = process.getOutputStream();
        try {
            for (int read = input.read(buffer); read >= 0; read = input.read(buffer)) {
                try {
                    stdin.write(buffer, 0, read);
                } catch (IOException nobodyReads) {
                    return;
                }
                sent += read;
                progress.accept(sent);
            }
        } finally {
            try {
                stdin.close();
            } catch (IOException nobodyReads) {
                // What was buffered had no reader left either.
            }
        }
    }

    @Override
    public void upload(InputStream content, String remotePath, long offset, LongConsumer progress) {
        Path target = Path.of(remotePath);
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             ReadableByteChannel source = Channels.newChannel(content)) {
            channel.truncate(offset);
            long written = offset;
            channel.position(offset);
            ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER);
            while (source.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    written += channel.write(buffer);
                }
                buffer.clear();
                progress.accept(written);
            }
            channel.force(true);
            progress.accept(written);
        } catch (IOException e) {
            throw new FleetupException(FleetupException.TRANSPORT_FAILED, "Could not write " + remotePath + " on "
                    + name + ": " + e.getMessage() + ". Check the free space and the directory's permissions.", e);
        }
    }

    @Override
    public long remoteSize(String remotePath) {
        try {
            Path path = Path.of(remotePath);
            return Files.isRegularFile(path) ? Files.size(path) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A leftover output file in the agent's scratch directory is harmless; the next start clears it.
            }
        }
    }
}
