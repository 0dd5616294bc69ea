package org.fleetup.agent.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The controller keys an agent trusts: its right-to-distribute list. The trust file holds one key per line in the
 * OpenSSH public key format operators already have ({@code ssh-ed25519 AAAAC3Nza... comment}, what
 * {@code ssh-keygen -t ed25519} writes to {@code .pub}); blank lines and lines starting with {@code #} are ignored,
 * and any other key type is refused, so that a typo never trusts less than the operator thinks without saying so.
 * Decoded with the JDK alone. A key is named by its OpenSSH fingerprint ({@code SHA256:...}, as
 * {@code ssh-keygen -lf} prints it), which orders carry as their {@code key}.
 */
public final class TrustedKeys {

    private static final String TYPE = "ssh-ed25519";
    // The DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410), followed by the 32 raw key bytes.
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final int RAW_LENGTH = 32;

    private final Map<String, PublicKey> keys;

    private TrustedKeys(Map<String, PublicKey> keys) {
        this.keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    }

    /**
     * Reads a trust file.
     *
     * @throws IOException when it cannot be read
     * @throws IllegalArgumentException naming the line that is no {@code ssh-ed25519} key
     */
    public static TrustedKeys read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException naming the line that is no {@code ssh-ed25519} key */
    public static TrustedKeys parse(List<String> lines) {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+", 3);
            if (words.length < 2 || !TYPE.equals(words[0])) {
                throw new IllegalArgumentException("Line " + (i + 1) + " of the trust file is not an OpenSSH "
                        + TYPE + " public key ('" + TYPE + " AAAA... comment'): only Ed25519 controller keys are "
                        + "trusted.");
            }
            PublicKey key = decode(words[1], i + 1);
            keys.put(keyId(key), key);
        }
        return new TrustedKeys(keys);
    }

    /** The trusted key with this id. */
    public Optional<PublicKey> key(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    public int size() {
        return keys.size();
    }

    /** The trusted keys, in the file's order. */
    public List<PublicKey> keys() {
        return List.copyOf(keys.values());
    }

    /** The OpenSSH fingerprint of an Ed25519 key: {@code SHA256:} and the unpadded Base64 of its wire blob's hash. */
    public static String keyId(PublicKey key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(blob(key));
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JDK has no SHA-256", e);
        }
    }

    /** The trust-file line for {@code key}: {@code ssh-ed25519 <base64 blob> <comment>}. */
    public static String openSshLine(PublicKey key, String comment) {
        return TYPE + " " + Base64.getEncoder().encodeToString(blob(key)) + (comment.isBlank() ? "" : " " + comment);
    }

    // The SSH wire form: string "ssh-ed25519", string <32 raw bytes>.
    private static byte[] blob(PublicKey key) {
        byte[] encoded = key.getEncoded();
        if (!"Ed25519".equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())
                || encoded.length != X509_PREFIX.length + RAW_LENGTH) {
            throw new IllegalArgumentException("Not an Ed25519 public key: " + key.getAlgorithm());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeString(out, TYPE.getBytes(StandardCharsets.US_ASCII));
        writeString(out, Arrays.copyOfRange(encoded, X509_PREFIX.length, encoded.length));
        return out.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, byte[] bytes) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
        out.writeBytes(bytes);
    }

    private static PublicKey decode(String base64, int line) {
        try {
            ByteBuffer blob = ByteBuffer.wrap(Base64.getDecoder().decode(base64));
            byte[] type = readString(blob);
            byte[] raw = readString(blob);
            if (!TYPE.equals(new String(type, StandardCharsets.US_ASCII)) || raw.length != RAW_LENGTH
                    || blob.hasRemaining()) {
                throw new IllegalArgumentException("not an " + TYPE + " key blob");
            }
            byte[] x509 = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + RAW_LENGTH);
            System.arraycopy(raw, 0, x509, X509_PREFIX.length, RAW_LENGTH);
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException | GeneralSecurityException e) {
            throw new IllegalArgumentException("Line " + line + " of the trust file holds no valid " + TYPE
                    + " key (" + e.getMessage() + "): copy the controller's .pub line again.", e);
        }
    }

    private static byte[] readString(ByteBuffer blob) {
        int length = blob.getInt();
        if (length < 0 || length > blob.remaining()) {
            throw new IllegalArgumentException("a length runs past the key blob");
        }
        byte[] bytes = new byte[length];
        blob.get(bytes);
        return bytes;
    }
}
