package org.fleetup.simulator.internal;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.sshd.common.util.SelectorUtils;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

/**
 * Resolves the SFTP paths of one simulated host on the real file system, relative ones against the host's root
 * (its {@code $HOME}), so that a path means the same to SFTP and to the host's shell. Nothing is chrooted.
 */
final class HostRootFileSystemAccessor implements SftpFileSystemAccessor {

    private final Path root;

    HostRootFileSystemAccessor(Path root) {
        this.root = root;
    }

    @Override
    public Path resolveLocalFilePath(SftpSubsystemProxy subsystem, Path rootDir, String remotePath)
            throws IOException {
        String localPath = SelectorUtils.translateToLocalFileSystemPath(remotePath, '/', root.getFileSystem());
        // An absolute path resolves to itself.
        return root.resolve(localPath);
    }
}
