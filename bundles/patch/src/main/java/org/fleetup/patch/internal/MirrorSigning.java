package org.fleetup.patch.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

import org.fleetup.agent.protocol.TrustedKeys;

/**
 * The signatures between a primary and its mirrors, Ed25519 with the instances' controller keys. A request is signed
 * over what it does and when ({@code fleetup-mirror-request-v1}, method and resource with its parameters, key id,
 * sequence, timestamp, the body's SHA-256): the mirror accepts it from a key it trusts, within its clock skew, and only
 * when its sequence is above every one it accepted before (no replay). A reply is signed over the request's signature,
 * its status and its body's SHA-256: the primary accepts it only from the key it pinned, and only for its own request.
 */
final class MirrorSigning {

    static final String KEY = "Fleetup-Key";
    static final String SEQUENCE = "Fleetup-Sequence";
    static final String TIMESTAMP = "Fleetup-Timestamp";
    static final String SIGNATURE = "Fleetup-Signature";

    private final PrivateKey privateKey;
    private final String keyId;

    MirrorSigning(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.keyId = TrustedKeys.keyId(publicKey);
    }

    String keyId() {
        return keyId;
    }

    static byte[] request(String resource, String keyId, long sequence, Instant timestamp, byte[] body) {
        return ("fleetup-mirror-request-v1\n" + resource + "\n" + keyId + "\n" + sequence + "\n" + timestamp + "\n"
                + sha256(body) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] reply(String requestSignature, int status, byte[] body) {
        return ("fleetup-mirror-reply-v1\n" + requestSignature + "\n" + status + "\n" + sha256(body) + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    String sign(byte[] canonical) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(privateKey);
            signature.update(canonical);
            return Base64.getEncoder().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not sign with the controller's Ed25519 key: " + e.getMessage(), e);
        }
    }

    static boolean verify(PublicKey key, byte[] canonical, String signature) {
        if (signature == null || signature.isBlank()) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(canonical);
            return verifier.verify(Base64.getDecoder().decode(signature.strip()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JDK has no SHA-256", e);
        }
    }
}
