package org.fleetup.simulator.internal;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.server.session.ServerSession;
import org.fleetup.api.simulator.Fault;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The faults of one simulated host that strike the bytes sent to it, whether by SFTP or as a command's input, judged
 * before they land. {@link Fault#DROP_CONNECTION}: a session that was sent its limit is closed abruptly, every session
 * again. {@link Fault#DISK_FULL}: once the bytes written to the host's disk by SFTP since start reach the quota, no
 * more land (a command's input is held by a file size limit instead, which the kernel enforces:
 * {@link #fileSizeLimitBytes()}). {@link Fault#CORRUPT_TRANSFER}: the first bytes sent to the host land with one bit
 * flipped, once.
 *
 * <p>Bytes that cross a limit land up to it, as {@code write(2)} on a full disk or a link that breaks mid-stream would
 * leave them, whatever size of writes the client chooses: a transfer resumed from the remote file's size makes progress
 * on every connection.
 */
final class WriteFaults {

    private static final Logger LOGGER = LoggerFactory.getLogger(WriteFaults.class);

    /** What may land of some bytes; when less than all, the connection drops or else the disk is full. */
    record Admitted(int bytes, boolean dropConnection) {
    }

    private final String host;
    private final boolean diskFull;
    private final boolean dropConnection;
    private final long dropAfterBytes;
    private final long diskQuotaBytes;
    private final AttributeKey<AtomicLong> sentInSession = new AttributeKey<>();
    private boolean corruptNext;
    private long writtenToDisk;

    WriteFaults(String host, Set<Fault> faults, long dropAfterBytes, long diskQuotaBytes) {
        this.host = host;
        this.diskFull = faults.contains(Fault.DISK_FULL);
        this.dropConnection = faults.contains(Fault.DROP_CONNECTION);
        this.dropAfterBytes = dropAfterBytes;
        this.diskQuotaBytes = diskQuotaBytes;
        this.corruptNext = faults.contains(Fault.CORRUPT_TRANSFER);
    }

    /** The size no file written by the host's commands may grow past, or -1 for none: a full disk, to them. */
    long fileSizeLimitBytes() {
        return diskFull ? diskQuotaBytes : -1;
    }

    /**
     * Judges {@code length} bytes of {@code data} about to land, corrupting them when their turn has come.
     *
     * @param onDisk whether they count against the disk's quota (SFTP writes); a command's input does not, its files
     *        being held by {@link #fileSizeLimitBytes()}
     */
    synchronized Admitted admit(ServerSession session, byte[] data, int offset, int length, boolean onDisk) {
        if (corruptNext && length > 0) {
            // One bit of the first bytes lands flipped, once, as a bad link or disk would leave it unnoticed by SSH;
            // a checksum on the host tells, and a second send is intact.
            corruptNext = false;
            data[offset + length / 2] ^= 1;
            LOGGER.info("Simulated host {} corrupts one byte of {} sent to it", host, length);
        }
        boolean quota = diskFull && onDisk;
        if (!quota && !dropConnection) {
            return new Admitted(length, false);
        }
        AtomicLong sessionSent = session.computeAttributeIfAbsent(sentInSession, key -> new AtomicLong());
        long sessionLeft = dropConnection ? dropAfterBytes - sessionSent.get() : Long.MAX_VALUE;
        long diskLeft = quota ? diskQuotaBytes - writtenToDisk : Long.MAX_VALUE;
        long allowed = Math.max(0, Math.min(sessionLeft, diskLeft));
        int landing = (int) Math.min(length, allowed);
        sessionSent.addAndGet(landing);
        if (onDisk) {
            writtenToDisk += landing;
        }
        if (length <= allowed) {
            return new Admitted(length, false);
        }
        if (sessionLeft <= diskLeft) {
            LOGGER.info("Simulated host {} drops the connection after {} bytes sent to it", host, sessionSent.get());
            return new Admitted(landing, true);
        }
        LOGGER.info("Simulated host {} fails a write: its disk is full after {} bytes", host, writtenToDisk);
        return new Admitted(landing, false);
    }
}
