package org.fleetup.simulator.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's client key pair, kept as an unencrypted OpenSSH private key (mode 0600, readable by MINA SSHD and by
 * OpenSSH's {@code ssh -i}) and its {@code .pub} beside it.
 */
public final class ClientKeyFiles {

    private static final Logger LOGGER = LoggerFactory.getLogger(ClientKeyFiles.class);
    private static final String OWNER_ONLY = "rw-------";
    private static final int KEY_BITS = 256;
    private static final String COMMENT = "fleetup-simulator";

    private ClientKeyFiles() {
    }

    /**
     * The key pair in {@code privateKeyFile}, made and written there (and to {@code <privateKeyFile>.pub}) when the
     * file is missing or unreadable; an existing key is kept so that records naming the file stay valid.
     */
    public static KeyPair loadOrCreate(Path privateKeyFile) throws IOException, GeneralSecurityException {
        if (Files.isRegularFile(privateKeyFile)) {
            try {
                KeyPair existing = load(privateKeyFile);
                Files.setPosixFilePermissions(privateKeyFile, PosixFilePermissions.fromString(OWNER_ONLY));
                writePublicKey(existing, privateKeyFile);
                return existing;
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                LOGGER.warn("The client key file {} cannot be read ({}); making a new key", privateKeyFile,
                        e.getMessage());
            }
        }
        KeyPair created = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, KEY_BITS);
        writePrivateKey(created, privateKeyFile);
        writePublicKey(created, privateKeyFile);
        return created;
    }

    private static KeyPair load(Path privateKeyFile) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(privateKeyFile)) {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null,
                    NamedResource.ofName(privateKeyFile.toString()), in, null);
            Iterator<KeyPair> iterator = pairs == null ? null : pairs.iterator();
            if (iterator == null || !iterator.hasNext()) {
                throw new IOException("no key pair in the file");
            }
            return iterator.next();
        }
    }

    private static void writePrivateKey(KeyPair keys, Path privateKeyFile)
            throws IOException, GeneralSecurityException {
        Files.deleteIfExists(privateKeyFile);
        // Owner-only from its creation, so the key is never readable by others even for a moment.
        Files.createFile(privateKeyFile,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
        try (OutputStream out = Files.newOutputStream(privateKeyFile)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keys, COMMENT, (OpenSSHKeyEncryptionContext) null,
                    out);
        }
    }

    private static void writePublicKey(KeyPair keys, Path privateKeyFile) throws IOException, GeneralSecurityException {
        Path publicKeyFile = privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
        try (OutputStream out = Files.newOutputStream(publicKeyFile)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePublicKey(keys.getPublic(), COMMENT, out);
        }
    }
}
