package org.fleetup.ssh;

import java.io.IOException;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SFTP channel on a connection of its own ({@link SshTransport#openSftp}); closing it closes both. Not shared
 * between threads.
 */
public final class SftpConnection implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(SftpConnection.class);

    private final ClientSession session;
    private final SftpClient sftp;

    SftpConnection(ClientSession session, SftpClient sftp) {
        this.session = session;
        this.sftp = sftp;
    }

    /** The SFTP client, with OpenSSH's extensions ({@code posix-rename@openssh.com}) where the server offers them. */
    public SftpClient sftp() {
        return sftp;
    }

    public boolean isOpen() {
        return session.isOpen() && sftp.isOpen();
    }

    @Override
    public void close() {
        try {
            sftp.close();
        } catch (IOException e) {
            LOGGER.debug("Closing an SFTP channel: {}", e.getMessage());
        }
        session.close(true);
    }
}
