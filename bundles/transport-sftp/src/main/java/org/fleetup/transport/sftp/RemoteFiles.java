package org.fleetup.transport.sftp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.fleetup.api.FleetupException;

/**
 * The file operations of an SFTP-only upgrade on one server, each failure worded for the operator as a
 * {@link FleetupException#TRANSPORT_FAILED} naming the server and what was being done. Paths are as the server's
 * SFTP takes them: relative ones start at the login's start directory (its home).
 */
final class RemoteFiles {

    /** A version file is one line; anything longer is cut. */
    private static final int MAX_LINE_BYTES = 4096;

    private final String server;
    private final SftpClient sftp;

    RemoteFiles(String server, SftpClient sftp) {
        this.server = server;
        this.sftp = sftp;
    }

    /** The entry itself (a link is not followed), or empty when there is none. */
    Optional<Attributes> lstat(String path) {
        try {
            return Optional.of(sftp.lstat(path));
        } catch (IOException e) {
            if (missing(e)) {
                return Optional.empty();
            }
            throw failed("looking at " + path, e);
        }
    }

    boolean exists(String path) {
        return lstat(path).isPresent();
    }

    /** Where the symbolic link {@code path} points, or empty when there is no such link. */
    Optional<String> readLink(String path) {
        Optional<Attributes> entry = lstat(path);
        if (entry.isEmpty() || !entry.get().isSymbolicLink()) {
            return Optional.empty();
        }
        try {
            return Optional.of(sftp.readLink(path));
        } catch (IOException e) {
            throw failed("reading the link " + path, e);
        }
    }

    /** The first line of a file, stripped, or empty when the file (or a directory on its way) does not exist. */
    Optional<String> firstLine(String path) {
        try (InputStream in = sftp.read(path)) {
            byte[] head = in.readNBytes(MAX_LINE_BYTES);
            return Optional.of(new String(head, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip());
        } catch (IOException e) {
            if (missing(e)) {
                return Optional.empty();
            }
            throw failed("reading " + path, e);
        }
    }

    /** Makes {@code path} and its missing parents, a directory each. */
    void mkdirs(String path) {
        String made = path.startsWith("/") ? "" : null;
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            made = made == null ? part : made + "/" + part;
            Optional<Attributes> entry = lstat(made);
            if (entry.isEmpty()) {
                mkdir(made, -1);
            } else if (!entry.get().isDirectory() && !entry.get().isSymbolicLink()) {
                throw new FleetupException(FleetupException.TRANSPORT_FAILED, made + " on " + server + " is not a "
                        + "directory: move it away, then retry.");
            }
        }
    }

    /** @param mode the permission bits, or -1 for the server's default */
    void mkdir(String path, int mode) {
        try {
            sftp.mkdir(path);
            if (mode >= 0) {
                sftp.setStat(path, new Attributes().perms(mode));
            }
        } catch (IOException e) {
            throw failed("making the directory " + path, e);
        }
    }

    /** Removes {@code path} and everything under it, links not followed; nothing when it does not exist. */
    void removeTree(String path) {
        Optional<Attributes> entry = lstat(path);
        if (entry.isEmpty()) {
            return;
        }
        try {
            if (entry.get().isDirectory()) {
                List<String> children = new ArrayList<>();
                for (SftpClient.DirEntry child : sftp.readDir(path)) {
                    if (!child.getFilename().equals(".") && !child.getFilename().equals("..")) {
                        children.add(path + "/" + child.getFilename());
                    }
                }
                children.forEach(this::removeTree);
                sftp.rmdir(path);
            } else {
                sftp.remove(path);
            }
        } catch (IOException e) {
            throw failed("removing " + path, e);
        }
    }

    /** SFTP's own rename, which fails when {@code to} exists: a directory moved into a free place. */
    void rename(String from, String to) {
        try {
            sftp.rename(from, to);
        } catch (IOException e) {
            throw failed("renaming " + from + " to " + to, e);
        }
    }

    /**
     * {@code rename(2)} on the server ({@code posix-rename@openssh.com}): {@code to} replaced atomically, so that
     * whoever reads it sees the old or the new one, never none.
     */
    void replace(String from, String to) {
        OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        if (posix == null || !posix.isSupported()) {
            throw new FleetupException(FleetupException.TRANSPORT_INCAPABLE, server + " does not offer SFTP's "
                    + "posix-rename@openssh.com, without which current cannot be switched atomically: reach it "
                    + "over ssh://, or give it an OpenSSH sftp-server.");
        }
        try {
            posix.posixRename(from, to);
        } catch (IOException e) {
            throw failed("renaming " + from + " over " + to, e);
        }
    }

    /** Makes {@code link} a symbolic link to {@code target}, as written (a relative target stays relative). */
    void symlink(String link, String target) {
        try {
            sftp.symLink(link, target);
        } catch (IOException e) {
            throw failed("making the link " + link + " -> " + target, e);
        }
    }

    /** Writes a new file from {@code content}, with {@code mode}; returns what was written. */
    ReleaseTree.Sum write(String path, InputStream content, int mode) {
        MessageDigest digest = ReleaseTree.sha256();
        long size;
        try (OutputStream out = new DigestOutputStream(sftp.write(path), digest)) {
            size = content.transferTo(out);
        } catch (IOException e) {
            throw failed("writing " + path, e);
        }
        try {
            sftp.setStat(path, new Attributes().perms(mode));
        } catch (IOException e) {
            throw failed("setting the mode of " + path, e);
        }
        return new ReleaseTree.Sum(size, HexFormat.of().formatHex(digest.digest()));
    }

    /** The size the server reports for a file, and the SHA-256 of what reading it back gives. */
    ReleaseTree.Sum readBack(String path) {
        MessageDigest digest = ReleaseTree.sha256();
        try {
            long reported = sftp.stat(path).getSize();
            long read;
            try (InputStream in = sftp.read(path)) {
                read = new DigestInputStream(in, digest).transferTo(OutputStream.nullOutputStream());
            }
            if (read != reported) {
                return new ReleaseTree.Sum(reported, "size " + reported + " but " + read + " bytes read");
            }
            return new ReleaseTree.Sum(reported, HexFormat.of().formatHex(digest.digest()));
        } catch (IOException e) {
            if (missing(e)) {
                return new ReleaseTree.Sum(-1, "missing");
            }
            throw failed("reading back " + path, e);
        }
    }

    private static boolean missing(IOException e) {
        return e instanceof SftpException sftp && (sftp.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE
                || sftp.getStatus() == SftpConstants.SSH_FX_NO_SUCH_PATH);
    }

    private FleetupException failed(String doing, IOException e) {
        return new FleetupException(FleetupException.TRANSPORT_FAILED, server + ": " + doing + " over SFTP failed: "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ".", e);
    }
}
