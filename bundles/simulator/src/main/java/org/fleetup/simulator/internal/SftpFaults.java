package org.fleetup.simulator.internal;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.fleetup.api.simulator.Fault;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SFTP faults of one simulated host, applied to each write before it happens. {@link Fault#DISK_FULL}: once
 * the bytes written to the host since start reach the quota, writes fail with "No space left on device".
 * {@link Fault#DROP_CONNECTION}: a session that has written its limit is closed abruptly, every session again.
 *
 * <p>A write that crosses a limit lands up to the limit before it fails, as {@code write(2)} on a full disk or a
 * link that breaks mid-stream would leave it, whatever size of writes the client chooses; so a transfer resumed
 * from the remote file's size makes progress on every connection. {@link Fault#CORRUPT_TRANSFER}: the first write
 * to the host lands with one byte changed.
 */
final class SftpFaults implements SftpEventListener {

    private static final Logger LOGGER = LoggerFactory.getLogger(SftpFaults.class);

    private final String host;
    private final boolean diskFull;
    private final boolean dropConnection;
    private final long dropAfterBytes;
    private final long diskQuotaBytes;
    private boolean corruptNext;
    private final AttributeKey<AtomicLong> writtenInSession = new AttributeKey<>();
    private long writtenToDisk;

    SftpFaults(String host, Set<Fault> faults, long dropAfterBytes, long diskQuotaBytes) {
        this.host = host;
        this.diskFull = faults.contains(Fault.DISK_FULL);
        this.dropConnection = faults.contains(Fault.DROP_CONNECTION);
        this.dropAfterBytes = dropAfterBytes;
        this.diskQuotaBytes = diskQuotaBytes;
        this.corruptNext = faults.contains(Fault.CORRUPT_TRANSFER);
    }

    @Override
    public synchronized void writing(ServerSession session, String remoteHandle, FileHandle localHandle, long offset,
                                     byte[] data, int dataOffset, int dataLen) throws IOException {
        if (corruptNext && dataLen > 0) {
            // The buffer is the one written next: one bit of the first write lands flipped, once, as a bad link or
            // disk would leave it unnoticed by SFTP; a checksum on the host tells, and a second send is intact.
            corruptNext = false;
            data[dataOffset + dataLen / 2] ^= 1;
            LOGGER.info("Simulated host {} corrupts one byte of a write at offset {}", host, offset + dataLen / 2);
        }
        if (!diskFull && !dropConnection) {
            return;
        }
        AtomicLong sessionWritten = session.computeAttributeIfAbsent(writtenInSession, key -> new AtomicLong());
        long sessionLeft = dropConnection ? dropAfterBytes - sessionWritten.get() : Long.MAX_VALUE;
        long diskLeft = diskFull ? diskQuotaBytes - writtenToDisk : Long.MAX_VALUE;
        long allowed = Math.max(0, Math.min(sessionLeft, diskLeft));
        if (dataLen <= allowed) {
            sessionWritten.addAndGet(dataLen);
            writtenToDisk += dataLen;
            return;
        }
        writePart(localHandle, offset, data, dataOffset, (int) allowed);
        sessionWritten.addAndGet(allowed);
        writtenToDisk += allowed;
        if (sessionLeft <= diskLeft) {
            LOGGER.info("Simulated host {} drops the connection after {} bytes written", host, sessionWritten.get());
            session.close(true);
            throw new IOException("Connection dropped by the simulated host " + host);
        }
        LOGGER.info("Simulated host {} fails a write: its disk is full after {} bytes", host, writtenToDisk);
        // SFTP v3, which OpenSSH speaks, has no status for a full disk: a plain failure, with the words of errno.
        throw new SftpException(SftpConstants.SSH_FX_FAILURE, "No space left on device");
    }

    private static void writePart(FileHandle handle, long offset, byte[] data, int dataOffset, int length)
            throws IOException {
        if (length == 0) {
            return;
        }
        if (handle.isOpenAppend()) {
            handle.append(data, dataOffset, length);
        } else {
            handle.write(data, dataOffset, length, offset);
        }
    }
}
