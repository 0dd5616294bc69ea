package org.fleetup.api.transport;

import java.io.InputStream;
import java.time.Duration;
import java.util.function.LongConsumer;

import org.fleetup.api.FleetupException;
import org.fleetup.api.ShellWords;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One connection to one server, carrying every command and file transfer of a piece of work, so that the cost of
 * connecting is paid once. Not shared between threads. Transports implement it; an upgrade uses it.
 */
@ProviderType
public interface Session extends AutoCloseable {

    /** The name of the server this session reaches. */
    String server();

    /**
     * Runs a command through the server's shell and waits for it to end. Past {@code timeout} the command is ended on
     * the server too, with every process it started, as far as the server allows (the exception says how far): a
     * command that timed out does not go on changing the server behind the caller's back.
     *
     * @throws FleetupException {@link FleetupException#COMMAND_TIMEOUT} past {@code timeout},
     *         {@link FleetupException#TRANSPORT_FAILED} when the connection breaks
     */
    CommandResult execute(String command, Duration timeout);

    /**
     * Runs a command as {@link #execute(String, Duration)} does, with {@code input} as its standard input, ended when
     * the input is: a file sent and acted on in one round trip ({@code cat > file && ...}). While the input is sent,
     * the transfer's deadline of {@link #upload} holds; from its last byte on, {@code timeout}. A command that ends
     * before it read all of its input (a full disk) answers with its exit status, the bytes it did not take unsent.
     *
     * @param progress told the number of bytes of the input sent so far
     * @throws FleetupException {@link FleetupException#COMMAND_TIMEOUT} past {@code timeout};
     *         {@link FleetupException#TRANSPORT_FAILED} when the connection breaks, its message saying how many bytes
     *         were sent, or when the input goes slower than the transport allows
     */
    CommandResult execute(String command, InputStream input, Duration timeout, LongConsumer progress);

    /**
     * Writes {@code content} to {@code remotePath} (absolute), starting at byte {@code offset} of the remote file so
     * that a broken transfer can be resumed; {@code content} starts at that same offset.
     *
     * @param progress told the number of bytes written so far, including the offset
     * @throws FleetupException {@link FleetupException#TRANSPORT_FAILED} when the write fails or the connection
     *         breaks, or when the transfer goes slower than the transport allows (a transport gives every transfer a
     *         deadline, so that a server trickling bytes cannot hold the caller without end)
     */
    void upload(InputStream content, String remotePath, long offset, LongConsumer progress);

    /** The size of a remote file, or -1 when there is none. */
    long remoteSize(String remotePath);

    /**
     * Makes the directory {@code remotePath} (absolute), whose parent exists, unless a directory is there already;
     * the server's umask applies. A transport may do it in the channel its transfers use (SFTP), so that it costs no
     * session of its own; by default it is a command.
     *
     * @return whether it was made here: false when a directory of that name was there already
     * @throws FleetupException {@link FleetupException#TRANSPORT_FAILED} when it cannot be made (no parent, no
     *         permission, a file of that name) or the connection breaks
     */
    default boolean makeDirectory(String remotePath) {
        String word = ShellWords.quote(remotePath);
        CommandResult result = execute("if [ -d " + word + " ]; then echo there; else mkdir -- " + word + "; fi",
                Duration.ofSeconds(30));
        if (!result.succeeded()) {
            throw new FleetupException(FleetupException.TRANSPORT_FAILED, "Could not make the directory "
                    + remotePath + " on " + server() + ": " + result.problem() + ".");
        }
        return !result.stdout().strip().equals("there");
    }

    boolean isOpen();

    @Override
    void close();
}
