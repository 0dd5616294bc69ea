package org.fleetup.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Consumer;

import javax.net.ssl.HttpsURLConnection;

import org.fleetup.agent.protocol.TlsPin;
import org.fleetup.api.FleetupException;

/**
 * Fetches an order's artifact over HTTP or HTTPS into a local file: exactly the ordered length, the ordered SHA-256, and
 * resumed with {@code Range} from what is already there after a dropped connection (or a restarted agent). A file
 * that ends verified is kept under its hash, so that a resumed install does not fetch it again. An {@code https} URL
 * whose fragment is a certificate fingerprint ({@code #SHA256:...}, never sent) trusts that certificate only, else the
 * JDK's certificate authorities. TLS is not what makes the artifact genuine (the signed SHA-256 does): it keeps the
 * release's content from whoever watches the network.
 */
final class ArtifactDownload {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final int attempts;
    private final Duration stall;

    /**
     * @param attempts how many requests one download may take, resumptions included
     * @param stall how long a request may go without a byte before it is given up and resumed
     */
    ArtifactDownload(int attempts, Duration stall) {
        this.attempts = attempts;
        this.stall = stall;
    }

    /**
     * Brings the artifact at {@code url} to {@code directory/<sha256>}, verified.
     *
     * @param told told, in words for people, of every request after the first (a resumption)
     * @return the verified file
     * @throws FleetupException {@link FleetupException#TRANSPORT_FAILED} when it cannot be fetched whole within the
     *         attempts, {@link FleetupException#RELEASE_INVALID} when its length or hash differ from the order's
     */
    Path fetch(URI url, long length, String sha256, Path directory, Consumer<String> told) {
        Path done = directory.resolve(sha256);
        Path partial = directory.resolve(sha256 + ".part");
        try {
            Files.createDirectories(directory);
            if (Files.isRegularFile(done) && Files.size(done) == length && sha256.equals(hash(done))) {
                return done;
            }
            String problem = "no request made";
            for (int attempt = 1; attempt <= attempts; attempt++) {
                long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
                if (have > length) {
                    Files.delete(partial);
                    have = 0;
                }
                if (have == length) {
                    break;
                }
                if (attempt > 1) {
                    told.accept("resuming the download at byte " + have + " of " + length + " (" + problem + ")");
                } else if (have > 0) {
                    told.accept("resuming the download at byte " + have + " of " + length + " (left by an earlier "
                            + "run)");
                }
                try {
                    problem = request(url, have, length, partial);
                    if (problem == null) {
                        break;
                    }
                } catch (IOException e) {
                    problem = "the connection broke: " + e.getMessage();
                }
            }
            long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
            if (have != length) {
                throw new FleetupException(FleetupException.TRANSPORT_FAILED, "Could not fetch " + url + " whole in "
                        + attempts + " requests (" + have + " of " + length + " bytes; " + problem
                        + "). Check that the controller serves it, then send the order again.");
            }
            String actual = hash(partial);
            if (!sha256.equals(actual)) {
                Files.delete(partial);
                throw new FleetupException(FleetupException.RELEASE_INVALID, "The artifact fetched from " + url
                        + " has the SHA-256 " + actual + ", the order says " + sha256 + ": nothing was installed. "
                        + "Check what the controller serves at that URL.");
            }
            Files.move(partial, done, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return done;
        } catch (IOException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Could not keep the artifact in " + directory
                    + ": " + e.getMessage() + ". Check the free space there.", e);
        }
    }

    /** One request from byte {@code have} on, appended to {@code partial}; {@code null} when the file is whole. */
    private String request(URI url, long have, long length, Path partial) throws IOException {
        // HttpURLConnection, not HttpClient: its read timeout ends a request whose bytes stopped coming (a link gone
        // silent), where HttpClient would wait on the body for ever.
        HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection();
        String pin = url.getFragment();
        if (connection instanceof HttpsURLConnection https && pin != null && pin.startsWith("SHA256:")) {
            // The controller's certificate, pinned in the signed URL: only the controller reads what it serves.
            https.setSSLSocketFactory(TlsPin.context(pin).getSocketFactory());
            https.setHostnameVerifier((host, session) -> true);
        }
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) stall.toMillis());
        if (have > 0) {
            connection.setRequestProperty("Range", "bytes=" + have + "-");
        }
        try {
            int status = connection.getResponseCode();
            boolean append;
            if (status == 206 && have > 0
                    && String.valueOf(connection.getHeaderField("Content-Range")).startsWith("bytes " + have + "-")) {
                append = true;
            } else if (status == 200) {
                // The server ignored the range: the whole file again.
                append = false;
            } else {
                return "HTTP " + status;
            }
            try (InputStream body = connection.getInputStream();
                 OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                long room = length - (append ? have : 0);
                byte[] buffer = new byte[64 * 1024];
                int read;
                while ((read = body.read(buffer)) >= 0) {
                    if (read > room) {
                        out.write(buffer, 0, (int) room);
                        return "the server sent more than the ordered " + length + " bytes";
                    }
                    out.write(buffer, 0, read);
                    room -= read;
                }
                if (room > 0) {
                    return "the response ended " + room + " bytes early";
                }
            }
            return null;
        } catch (SocketTimeoutException e) {
            return "no byte came for " + stall.toSeconds() + " s";
        } finally {
            // A connection that broke or stalled is not one to reuse.
            connection.disconnect();
        }
    }

    private static String hash(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JDK has no SHA-256", e);
        }
    }
}
