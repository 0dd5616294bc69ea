package org.fleetup.agent.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * A TLS server's key and certificate, in a PKCS#12 keystore (what {@code keytool} and {@code openssl pkcs12 -export}
 * write): the agent's HTTPS API and the controller's HTTPS artifact server use one. The peers do not check it against
 * certificate authorities but pin it by its {@linkplain #fingerprint SHA-256 fingerprint}, as SSH pins host keys, so a
 * self-signed certificate ({@link #generate}) is as good as any.
 */
public final class TlsIdentity {

    private final SSLContext context;
    private final X509Certificate certificate;

    private TlsIdentity(SSLContext context, X509Certificate certificate) {
        this.context = context;
        this.certificate = certificate;
    }

    /**
     * Reads the first key entry of a PKCS#12 keystore.
     *
     * @throws IllegalArgumentException when it cannot be read with {@code password} or holds no key with a certificate
     */
    public static TlsIdentity read(Path keystore, char[] password) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            for (String alias : Collections.list(store.aliases())) {
                Certificate certificate = store.getCertificate(alias);
                if (store.isKeyEntry(alias) && certificate instanceof X509Certificate x509) {
                    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    keys.init(store, password);
                    SSLContext context = SSLContext.getInstance("TLS");
                    // A server that asks no client for a certificate trusts none: no trust managers, so that the
                    // JDK's CA certificates are not read and parsed at every start for nothing.
                    context.init(keys.getKeyManagers(), new TrustManager[0], null);
                    return new TlsIdentity(context, x509);
                }
            }
            throw new IllegalArgumentException("The keystore " + keystore + " holds no private key with its "
                    + "certificate.");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot read the PKCS#12 keystore " + keystore + " (" + e.getMessage()
                    + "): check the file and its password.", e);
        }
    }

    /**
     * Writes a new EC P-256 key and a self-signed certificate for {@code hosts} (DNS names or IP addresses, the first
     * one its common name) into {@code keystore}, with the JDK's own {@code keytool}.
     *
     * @throws IllegalStateException when keytool cannot be run or fails
     */
    public static TlsIdentity generate(Path keystore, char[] password, List<String> hosts, int validDays) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> san = new ArrayList<>();
        for (String host : hosts) {
            san.add((host.matches("[0-9.]+|.*:.*") ? "ip:" : "dns:") + host);
        }
        List<String> command = List.of(keytool.toString(), "-genkeypair", "-noprompt", "-alias", "fleetup",
                "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=" + hosts.get(0), "-ext", "SAN=" + String.join(",", san),
                "-validity", Integer.toString(validDays), "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass:env", "FLEETUP_KEYSTORE_PASSWORD");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // Through the environment, not the command line, where any local user could read it.
        builder.environment().put("FLEETUP_KEYSTORE_PASSWORD", new String(password));
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(keytool + " could not make " + keystore + ": " + output.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + keytool + " (" + e.getMessage() + ") to make a "
                    + "certificate: make one yourself (keytool -genkeypair -storetype PKCS12, or openssl) and give "
                    + "its keystore.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while making " + keystore, e);
        }
        return read(keystore, password);
    }

    /**
     * The keystore {@code keystore} with the password of {@code passwordFile} (its first line), both made when
     * missing: the password random and readable by its owner only, the keystore by {@link #generate}.
     */
    public static TlsIdentity openOrCreate(Path keystore, Path passwordFile, List<String> hosts) {
        try {
            char[] password = password(passwordFile, true);
            return Files.exists(keystore) ? read(keystore, password) : generate(keystore, password, hosts, 3650);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read or write " + passwordFile + " (" + e.getMessage()
                    + "): check the path and its permissions.", e);
        }
    }

    /** The first line of {@code file}; {@code make}: a missing file is made first, random, for its owner only. */
    public static char[] password(Path file, boolean make) throws IOException {
        if (make && Files.notExists(file)) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            Files.writeString(file, "", StandardOpenOption.CREATE_NEW);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n");
        }
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
            throw new IllegalArgumentException("The password file " + file + " is empty.");
        }
        return lines.get(0).toCharArray();
    }

    /** For an {@code HttpsServer}'s configurator: serves this key and certificate. */
    public SSLContext context() {
        return context;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** This certificate's {@link #fingerprint}. */
    public String fingerprint() {
        return fingerprint(certificate);
    }

    /**
     * {@code SHA256:} and the unpadded Base64 of the SHA-256 of the certificate's DER encoding: the form OpenSSH gives
     * host key fingerprints, so that the same commands record either.
     */
    public static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("Cannot hash the certificate " + certificate.getSubjectX500Principal(),
                    e);
        }
    }
}
