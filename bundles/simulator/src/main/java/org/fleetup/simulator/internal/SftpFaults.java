package org.fleetup.simulator.internal;

import java.io.IOException;

import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpEventListener;

/** The {@link WriteFaults} of one simulated host, applied to each SFTP write before it happens. */
final class SftpFaults implements SftpEventListener {

    private final WriteFaults faults;

    SftpFaults(WriteFaults faults) {
        this.faults = faults;
    }

    @Override
    public void writing(ServerSession session, String remoteHandle, FileHandle localHandle, long offset,
                        byte[] data, int dataOffset, int dataLen) throws IOException {
        WriteFaults.Admitted admitted = faults.admit(session, data, dataOffset, dataLen, true);
        if (admitted.bytes() == dataLen) {
            return;
        }
        writePart(localHandle, offset, data, dataOffset, admitted.bytes());
        if (admitted.dropConnection()) {
            session.close(true);
            throw new IOException("Connection dropped by the simulated host");
        }
        // Not dropped, so the disk is full. SFTP v3, which OpenSSH speaks, has no status for it: a plain failure, with
        // the words of errno.
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
