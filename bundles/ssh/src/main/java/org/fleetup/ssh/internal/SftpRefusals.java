package org.fleetup.ssh.internal;

import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/** Words an SFTP server's refusal for an operator, from its status code and whatever text the server sent. */
final class SftpRefusals {

    private SftpRefusals() {
    }

    static String describe(SftpException refusal) {
        String serverText = refusal.getMessage() == null || refusal.getMessage().isBlank()
                ? SftpConstants.getStatusName(refusal.getStatus())
                : refusal.getMessage();
        return switch (refusal.getStatus()) {
            case SftpConstants.SSH_FX_NO_SPACE_ON_FILESYSTEM -> "no space left on the server's disk (" + serverText
                    + ")";
            case SftpConstants.SSH_FX_QUOTA_EXCEEDED -> "the user's disk quota on the server is used up ("
                    + serverText + ")";
            case SftpConstants.SSH_FX_PERMISSION_DENIED -> "permission denied (" + serverText + ")";
            case SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH ->
                    "the target directory does not exist (" + serverText + ")";
            // SFTP version 3, which OpenSSH speaks, has no code for a full disk: it reports one as a plain failure.
            case SftpConstants.SSH_FX_FAILURE -> "the server refused the write (" + serverText
                    + "); a full disk is the usual cause, check the free space on the server";
            default -> SftpConstants.getStatusName(refusal.getStatus()) + ": " + serverText;
        };
    }
}
