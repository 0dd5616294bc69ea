package org.fleetup.ssh.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.sshd.client.config.hosts.KnownHostHashValue;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.digest.DigestUtils;
import org.apache.sshd.common.util.SelectorUtils;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.ServerImport;

/**
 * Host keys from an OpenSSH known_hosts file, read as OpenSSH reads it: host names in any case, hashed entries,
 * {@code [host]:port} for a port other than 22, patterns with {@code *}, {@code ?} and {@code !}. A key on an
 * {@code @revoked} line is never trusted, for any server, whatever other line names it: it is one private key, so
 * compromised for one host it is compromised for all. {@code @cert-authority} lines are refused, since Fleetup checks
 * each server's own key and not host certificates; a line that cannot be read is refused too, rather than skipped, as
 * it may be a revocation.
 *
 * <p>MINA SSHD's {@code KnownHostEntry} reads the same file but skips unreadable lines, hashes host names without
 * lowering their case, and lets a {@code *} match port 22 only; so only its pieces are used here.
 */
final class KnownHosts {

    private static final int DEFAULT_PORT = 22;

    private final Path file;
    private final List<Line> trusted;
    private final Map<String, Line> revoked;

    private KnownHosts(Path file, List<Line> trusted, Map<String, Line> revoked) {
        this.file = file;
        this.trusted = trusted;
        this.revoked = revoked;
    }

    static KnownHosts read(Path file) {
        List<String> text;
        try {
            text = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new FleetupException(FleetupException.INVALID_INPUT,
                    "Cannot read the known_hosts file " + file + ": " + e.getMessage(), e);
        }
        List<Line> trusted = new ArrayList<>();
        Map<String, Line> revoked = new LinkedHashMap<>();
        for (int number = 1; number <= text.size(); number++) {
            String content = text.get(number - 1).strip();
            if (content.isEmpty() || content.startsWith("#")) {
                continue;
            }
            Line line = Line.parse(file, number, content);
            if (line.marker() == null) {
                trusted.add(line);
            } else if ("@revoked".equals(line.marker())) {
                revoked.putIfAbsent(line.key(), line);
            } else if ("@cert-authority".equals(line.marker())) {
                throw invalid(file, line, "it names a certificate authority, and Fleetup does not check host"
                        + " certificates: trust each server's own host key instead (ssh-keyscan, or"
                        + " fleet:server-trust), and remove the line or import with a file without it");
            } else {
                throw invalid(file, line, "'" + line.marker() + "' is not a known_hosts marker (@revoked,"
                        + " @cert-authority)");
            }
        }
        return new KnownHosts(file, trusted, revoked);
    }

    /** The keys this file trusts, each refusal of a revoked key told to {@code refusals}. */
    ServerImport.HostKeys hostKeys(Consumer<String> refusals) {
        return (server, host, port) -> trustedKey(server, host, port, refusals);
    }

    /**
     * The key to trust for a server: the first key of a line naming its host and port that is not revoked, or
     * {@code null}. Each key of the server refused as revoked is told, in words for the operator, to
     * {@code refusals}.
     */
    String trustedKey(String server, String host, int port, Consumer<String> refusals) {
        String name = lookupName(host, port);
        for (Line line : trusted) {
            if (!line.matches(name, host, port)) {
                continue;
            }
            Line revocation = revoked.get(line.key());
            if (revocation == null) {
                return line.key();
            }
            refusals.accept("Not trusted for " + server + ": host key " + line.type() + " " + line.fingerprint()
                    + " (line " + line.number() + " of " + file + ") is revoked by line " + revocation.number()
                    + ": " + revocation.head());
        }
        return null;
    }

    /** The name OpenSSH looks a host up by: in lower case, as {@code [host]:port} on a port other than 22. */
    private static String lookupName(String host, int port) {
        String lower = host.toLowerCase(Locale.ROOT);
        return port == DEFAULT_PORT ? lower : "[" + lower + "]:" + port;
    }

    private static FleetupException invalid(Path file, Line line, String why) {
        return new FleetupException(FleetupException.INVALID_INPUT, "The known_hosts file " + file + " is refused,"
                + " nothing was imported: line " + line.number() + " (" + line.head() + "): " + why + ".");
    }

    /**
     * One line: an optional marker, the host patterns (or one hashed host), and the key, kept as OpenSSH writes it
     * ({@code ssh-ed25519 AAAA...}) so that two lines name the same key exactly when the key data are equal.
     */
    private record Line(int number, String marker, String hosts, KnownHostHashValue hashed, String key,
                        String fingerprint) {

        static Line parse(Path file, int number, String content) {
            String marker = null;
            String rest = content;
            if (content.startsWith("@")) {
                String[] split = content.split("\\s+", 2);
                marker = split[0];
                rest = split.length > 1 ? split[1] : "";
            }
            String[] split = rest.split("\\s+", 2);
            if (split.length < 2) {
                throw unreadable(file, number, content, "no host patterns and key");
            }
            String hosts = split[0];
            try {
                KnownHostHashValue hashed = hosts.startsWith("|") ? KnownHostHashValue.parse(hosts) : null;
                PublicKeyEntry key = PublicKeyEntry.parsePublicKeyEntry(split[1]);
                if (key == null || key.getKeyData() == null || key.getKeyData().length == 0) {
                    throw unreadable(file, number, content, "no key after the host patterns");
                }
                return new Line(number, marker, hosts, hashed,
                        key.getKeyType() + " " + Base64.getEncoder().encodeToString(key.getKeyData()),
                        DigestUtils.getFingerPrint(BuiltinDigests.sha256, key.getKeyData()));
            } catch (FleetupException e) {
                throw e;
            } catch (Exception e) {
                throw unreadable(file, number, content, e.getMessage());
            }
        }

        private static FleetupException unreadable(Path file, int number, String content, String why) {
            return new FleetupException(FleetupException.INVALID_INPUT, "The known_hosts file " + file
                    + " is refused, nothing was imported: line " + number + " cannot be read (" + why + "): "
                    + content);
        }

        /** As OpenSSH's {@code match_hostname}: a negated pattern that matches excludes the host at once. */
        boolean matches(String lookupName, String host, int port) {
            if (hashed != null) {
                return hashed.isHostMatch(host.toLowerCase(Locale.ROOT), port);
            }
            boolean matched = false;
            for (String pattern : hosts.split(",")) {
                boolean negated = pattern.startsWith("!");
                if (SelectorUtils.match(negated ? pattern.substring(1) : pattern, lookupName, false)) {
                    if (negated) {
                        return false;
                    }
                    matched = true;
                }
            }
            return matched;
        }

        String type() {
            return key.substring(0, key.indexOf(' '));
        }

        /** The line for a message, with the key's fingerprint in place of its long base64. */
        String head() {
            return (marker == null ? "" : marker + " ") + hosts + " " + type() + " " + fingerprint();
        }
    }
}
