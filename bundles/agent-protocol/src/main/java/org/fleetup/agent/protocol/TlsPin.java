package org.fleetup.agent.protocol;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A TLS client's trust in exactly one server certificate, given by its {@linkplain TlsIdentity#fingerprint
 * fingerprint}: no certificate authority, no host name check (the pin names the one certificate, which is stronger),
 * and no other certificate, ever. A certificate that does not match ends the handshake with {@link Refused}, which
 * carries the fingerprint presented, so that the caller can tell the operator what to check and trust.
 */
public final class TlsPin {

    private TlsPin() {
    }

    /** The handshake's refusal of a certificate: {@code expected} is {@code null} when nothing was pinned. */
    public static final class Refused extends CertificateException {

        private static final long serialVersionUID = 1L;

        private final String presented;
        private final String expected;

        Refused(String presented, String expected) {
            super("the server's certificate " + presented + (expected == null ? " is not trusted (none is)"
                    : " is not the trusted one, " + expected));
            this.presented = presented;
            this.expected = expected;
        }

        public String presented() {
            return presented;
        }

        public Optional<String> expected() {
            return Optional.ofNullable(expected);
        }

        /** The refusal somewhere among the causes of {@code failure}, as the TLS stack wraps it. */
        public static Optional<Refused> in(Throwable failure) {
            for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
                if (cause instanceof Refused refused) {
                    return Optional.of(refused);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * A client context that accepts only the certificate whose fingerprint is {@code fingerprint}; {@code null} or
     * blank: none at all (the handshake only learns the certificate, for the refusal to tell).
     */
    public static SSLContext context(String fingerprint) {
        String expected = fingerprint == null || fingerprint.isBlank() ? null : fingerprint.strip();
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new Pinned(expected)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JDK offers no TLS", e);
        }
    }

    /**
     * Extended, so that the JDK does not add its own host name check to this one: with the certificate pinned, the
     * name the controller dialled proves nothing more.
     */
    private static final class Pinned extends X509ExtendedTrustManager {

        private final String expected;

        Pinned(String expected) {
            this.expected = expected;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server presented no certificate");
            }
            String presented = TlsIdentity.fingerprint(chain[0]);
            if (!presented.equals(expected)) {
                throw new Refused(presented, expected);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a pin trusts servers only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("a pin trusts servers only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("a pin trusts servers only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
