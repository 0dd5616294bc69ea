package org.fleetup.agent.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;

import org.fleetup.agent.protocol.OrderSigner;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.api.FleetupException;

/**
 * The controller's Ed25519 signing key, in the files the agent's {@code keygen} writes: {@code <name>.key} (PEM
 * PKCS#8, readable by the controller's account only) and {@code <name>.pub} (one OpenSSH line, what operators put in
 * the agents' trust file). Made at the first start when absent; never replaced, since every agent trusts it.
 */
public final class ControllerKey {

    private final Path privateFile;
    private final Path publicFile;
    private final OrderSigner signer;
    private final String publicLine;

    private ControllerKey(Path privateFile, Path publicFile, OrderSigner signer, String publicLine) {
        this.privateFile = privateFile;
        this.publicFile = publicFile;
        this.signer = signer;
        this.publicLine = publicLine;
    }

    /** Where a controller keeps its key: {@code configured} when set, else {@code fleetup-controller.key} in etc/. */
    public static Path file(String configured) {
        return configured == null || configured.isBlank()
                ? Path.of(System.getProperty("karaf.etc", "etc")).resolve("fleetup-controller.key")
                : Path.of(configured.strip());
    }

    /**
     * Reads the key at {@code privateFile} and its {@code .pub} beside it (same name, {@code .key} replaced), making
     * both first when neither exists. One at a time: the push transport and the patch server open the same key when
     * the controller starts, and two of them making it at once would leave agents trusting a key not the one in use.
     *
     * @throws FleetupException {@link FleetupException#STORAGE_FAILED} when they cannot be read or written, or when
     *         only one of the two exists
     */
    public static synchronized ControllerKey openOrCreate(Path privateFile, String comment) {
        Path publicFile = publicFileOf(privateFile);
        try {
            if (Files.notExists(privateFile) && Files.notExists(publicFile)) {
                create(privateFile, publicFile, comment);
            }
            PrivateKey privateKey = OrderSigner.readPkcs8Pem(privateFile);
            List<PublicKey> keys = TrustedKeys.read(publicFile).keys();
            if (keys.size() != 1) {
                throw new IllegalArgumentException(publicFile + " holds " + keys.size() + " keys, not one");
            }
            PublicKey publicKey = keys.get(0);
            String line = Files.readAllLines(publicFile, StandardCharsets.US_ASCII).stream()
                    .filter(text -> text.startsWith("ssh-ed25519 ")).findFirst().orElseThrow();
            return new ControllerKey(privateFile, publicFile, new OrderSigner(privateKey, publicKey), line.strip());
        } catch (IOException | IllegalArgumentException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "The controller's signing key "
                    + privateFile + " (with " + publicFile.getFileName() + ") cannot be used: " + e.getMessage()
                    + ". Restore both files from a backup, or remove both to make a new key, which every agent "
                    + "must then trust (fleet:agent-key prints it).", e);
        }
    }

    private static void create(Path privateFile, Path publicFile, String comment) throws IOException {
        KeyPair keys = OrderSigner.generateKeys();
        Path dir = privateFile.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Written under temporary names and renamed, the private key first: a crash leaves no half key behind.
        Path privateTemp = Files.createTempFile(dir, ".controller", ".key");
        try {
            if (Files.getFileAttributeView(privateTemp, PosixFileAttributeView.class) != null) {
                Files.setPosixFilePermissions(privateTemp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.writeString(privateTemp, OrderSigner.pkcs8Pem(keys.getPrivate()), StandardCharsets.US_ASCII);
            Path publicTemp = Files.createTempFile(dir, ".controller", ".pub");
            Files.writeString(publicTemp, TrustedKeys.openSshLine(keys.getPublic(), comment) + "\n",
                    StandardCharsets.US_ASCII);
            if (Files.getFileAttributeView(publicTemp, PosixFileAttributeView.class) != null) {
                // A public key: readable by anyone, as ssh-keygen leaves a .pub.
                Files.setPosixFilePermissions(publicTemp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(privateTemp, privateFile, StandardCopyOption.ATOMIC_MOVE);
            Files.move(publicTemp, publicFile, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(privateTemp);
        }
    }

    static Path publicFileOf(Path privateFile) {
        String name = privateFile.getFileName().toString();
        String base = name.endsWith(".key") ? name.substring(0, name.length() - 4) : name;
        return privateFile.resolveSibling(base + ".pub");
    }

    public OrderSigner signer() {
        return signer;
    }

    /** The public key as one OpenSSH line, {@code ssh-ed25519 AAAA... comment}: a line of an agent's trust file. */
    public String publicLine() {
        return publicLine;
    }

    /** The key's id, {@code SHA256:...}, as orders name it. */
    public String keyId() {
        return signer.keyId();
    }

    public Path privateFile() {
        return privateFile;
    }

    public Path publicFile() {
        return publicFile;
    }
}
