package org.fleetup.agent.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The controller's side: signs install orders with its Ed25519 key (the JDK's {@code Signature "Ed25519"}). The
 * signed form an agent receives is the order's canonical text followed by one more line,
 * {@code signature: <Base64 of the Ed25519 signature of every byte before that line>}.
 */
public final class OrderSigner {

    static final String SIGNATURE = "signature: ";

    private final PrivateKey privateKey;
    private final String keyId;

    /** @param publicKey the private key's public half, which names it ({@link TrustedKeys#keyId}) */
    public OrderSigner(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.keyId = TrustedKeys.keyId(publicKey);
    }

    /** The id orders signed here carry as their {@code key}. */
    public String keyId() {
        return keyId;
    }

    /**
     * The signed form of {@code order}.
     *
     * @throws IllegalArgumentException when the order names another key than this signer's
     */
    public String sign(InstallOrder order) {
        if (!keyId.equals(order.key())) {
            throw new IllegalArgumentException("The order names the key " + order.key() + ", this signer holds "
                    + keyId + ".");
        }
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(privateKey);
            signature.update(order.canonical());
            return order.text() + SIGNATURE + Base64.getEncoder().encodeToString(signature.sign()) + "\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not sign with the controller's Ed25519 key: " + e.getMessage(), e);
        }
    }

    /** A new Ed25519 key pair. */
    public static KeyPair generateKeys() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JDK has no Ed25519", e);
        }
    }

    /** The private key as PEM PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), as {@code openssl genpkey} writes it. */
    public static String pkcs8Pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }

    /**
     * Reads an Ed25519 private key from a PEM PKCS#8 file ({@code openssl genpkey -algorithm ed25519}).
     *
     * @throws IllegalArgumentException when the file holds no such key
     */
    public static PrivateKey readPkcs8Pem(Path file) throws IOException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(file + " holds no PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " holds no Ed25519 private key: " + e.getMessage(), e);
        }
    }
}
