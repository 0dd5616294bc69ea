package org.fleetup.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fleetup.agent.protocol.InstallOrder;
import org.fleetup.agent.protocol.OrderSigner;
import org.fleetup.agent.protocol.TlsIdentity;
import org.fleetup.agent.protocol.TrustedKeys;

/**
 * The command line: {@code push} runs the agent, {@code tls-keygen} makes its certificate; {@code keygen} and
 * {@code sign} are the controller's tools.
 */
public final class Main {

    static final String USAGE = """
            Usage: java -jar fleetup-agent.jar push --listen HOST:PORT --root DIR --trust FILE --product NAME [options]
                   java -jar fleetup-agent.jar pull --server URL --product NAME --root DIR --trust FILE [options]
                   java -jar fleetup-agent.jar keygen --out PREFIX
                   java -jar fleetup-agent.jar tls-keygen --out FILE.p12 --tls-password-file FILE [--hosts H,...]
                        [--valid-days N]
                   java -jar fleetup-agent.jar sign --key PREFIX.key --pub PREFIX.pub --agent ID --sequence N
                        --product NAME --version V --url URL --length BYTES --sha256 HEX [--kind K] [--forced]
                        [--expires ISO-INSTANT | --valid-seconds S] [--callback URL]

            push: runs the push agent, which installs only the orders signed by a key of its trust file.
              --listen HOST:PORT       where its HTTP API listens (127.0.0.1:0 takes a free port, printed)
              --root DIR               the application root (releases/<version>/, current, staging/)
              --trust FILE             trusted controller keys, one OpenSSH 'ssh-ed25519 AAAA... comment' per line
              --state FILE             its state (last accepted sequence, orders); default DIR/.fleetup/agent.state
              --id ID                  the agent id orders are addressed to; default the host name
              --product NAME           the product it installs
              --kind KIND              the kind of software it installs; default application
              --scheme SCHEME          the version scheme: semantic (default), maven, debian, serial, date
              --health-command CMD     prints the running version once healthy, run in DIR; default 'cat current/VERSION'
              --restart-command CMD    brings the new release to run after the switch (and the old one after a
                                       rollback), run in DIR; default none
              --health-url URL         the health check fetches it (2xx, first line the version) instead of
                                       running the health command
              --busy-marker PATH       exists while the server may not be upgraded, relative to DIR; default .busy
              --installable-wait S     seconds a busy server is waited for before 'cannot install'; default 300
              --command-timeout S      seconds one command of the install may run; default 30
              --download-stall S       seconds the artifact's download may go without a byte before it is
                                       resumed with Range (5 requests in all); default 30
              --tls-keystore FILE      serve HTTPS (not HTTP) with the first key and certificate of this PKCS#12
                                       keystore (tls-keygen makes one; openssl pkcs12 -export turns PEM key and
                                       certificate into one). Its SHA256 fingerprint, printed at start, is what the
                                       controller trusts ('fleet:server-trust SERVER SHA256:...').
              --tls-password-file F    the keystore's password, the file's first line; default the environment
                                       variable FLEETUP_AGENT_TLS_PASSWORD
            pull: runs the pull agent, which checks a patch server on its own schedule and installs the newer
                  releases it offers, signed by a key of its trust file. Besides the push options --trust, --product,
                  --kind, --scheme, --health-command, --restart-command, --health-url, --busy-marker,
                  --installable-wait, --command-timeout and --download-stall:
              --server URL             the patch server's base URL, such as http://fleetup:8181; a move the server
                                       announces is remembered in the state and wins over this option
              --interval DURATION      the time between checks when nothing is newer (30m, 90s, 2h); default 30m
              --state FILE             its state (server, interval, next check, applied version);
                                       default DIR/.fleetup/pull.state (its orders beside it, FILE.orders)
              --mac MAC                its MAC address, its id at the patch server; default the first interface's
              --address ADDRESS        its own address, told to the patch server; default the host's address
            keygen: writes a new controller key: PREFIX.key (PEM PKCS#8) and PREFIX.pub (the trust file line).
            tls-keygen: writes a new EC key and self-signed certificate for --tls-keystore (made by the JDK's
              keytool), for --hosts (names or addresses; default this host's name, localhost, 127.0.0.1), valid
              --valid-days (default 3650), and prints its fingerprint. A --tls-password-file that does not exist
              is made with a random password, readable by its owner only.
            sign: prints a signed install order, to POST to an agent's /orders.
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || Set.of("--help", "-h", "help").contains(args[0])
                || List.of(args).contains("--help")) {
            System.out.print(USAGE);
            return;
        }
        try {
            Map<String, String> options = options(args);
            switch (args[0]) {
                case "push" -> PushAgent.start(pushOptions(options), System.out);
                case "pull" -> PullAgent.run(PullOptions.parse(options), System.out);
                case "keygen" -> keygen(Path.of(required(options, "out")), System.out);
                case "tls-keygen" -> tlsKeygen(options, System.out);
                case "sign" -> System.out.print(sign(options));
                default -> throw new IllegalArgumentException("Unknown command '" + args[0] + "'.");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        } catch (IOException e) {
            System.err.println("Could not read or write " + e.getMessage() + ": check the path and its permissions.");
            System.exit(1);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument '" + name + "'.");
            }
            if ("--forced".equals(name)) {
                options.put("forced", "true");
            } else if (i + 1 < args.length) {
                options.put(name.substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("The option " + name + " needs a value.");
            }
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("The option --" + name + " is required.");
        }
        return value;
    }

    static AgentOptions pushOptions(Map<String, String> options) throws IOException {
        String listen = required(options, "listen");
        int colon = listen.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("--listen must be HOST:PORT, not '" + listen + "'.");
        }
        Path root = Path.of(required(options, "root")).toAbsolutePath().normalize();
        List<String> unknown = new ArrayList<>(options.keySet());
        unknown.removeAll(List.of("listen", "root", "trust", "state", "id", "product", "kind", "scheme",
                "health-command", "restart-command", "health-url", "busy-marker", "installable-wait",
                "command-timeout", "download-stall", "tls-keystore", "tls-password-file"));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown option --" + unknown.get(0) + ".");
        }
        if (options.containsKey("tls-password-file") && !options.containsKey("tls-keystore")) {
            // Meant to serve HTTPS, it would serve plain HTTP: better not start.
            throw new IllegalArgumentException("--tls-password-file is the password of --tls-keystore, which is "
                    + "missing: give both to serve HTTPS, neither to serve HTTP.");
        }
        return new AgentOptions(new InetSocketAddress(listen.substring(0, colon),
                Integer.parseInt(listen.substring(colon + 1))), root,
                Path.of(required(options, "trust")),
                Path.of(options.getOrDefault("state", root.resolve(".fleetup").resolve("agent.state").toString())),
                options.getOrDefault("id", InetAddress.getLocalHost().getHostName()),
                required(options, "product"), options.getOrDefault("kind", "application"),
                options.getOrDefault("scheme", "semantic"),
                options.getOrDefault("health-command", "cat current/VERSION"),
                options.getOrDefault("restart-command", ""), options.getOrDefault("health-url", ""),
                options.getOrDefault("busy-marker", ".busy"),
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("installable-wait", "300"))),
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("command-timeout", "30"))),
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("download-stall", "30"))),
                options.containsKey("tls-keystore") ? tls(Path.of(options.get("tls-keystore")), options) : null);
    }

    /** The keystore read at once, so that a wrong file or password stops the agent before it listens. */
    private static TlsIdentity tls(Path keystore, Map<String, String> options) throws IOException {
        return TlsIdentity.read(keystore, password(options, false));
    }

    /** From --tls-password-file, else the environment; {@code make}: a missing file is made, random. */
    private static char[] password(Map<String, String> options, boolean make) throws IOException {
        String file = options.get("tls-password-file");
        if (file == null) {
            String variable = System.getenv("FLEETUP_AGENT_TLS_PASSWORD");
            if (variable == null || variable.isEmpty()) {
                throw new IllegalArgumentException("The keystore's password is needed: give --tls-password-file FILE "
                        + "or set FLEETUP_AGENT_TLS_PASSWORD.");
            }
            return variable.toCharArray();
        }
        return TlsIdentity.password(Path.of(file), make);
    }

    private static void tlsKeygen(Map<String, String> options, PrintStream out) throws IOException {
        Path keystore = Path.of(required(options, "out"));
        if (Files.exists(keystore)) {
            throw new IllegalArgumentException(keystore + " exists: the agent's certificate is pinned by the "
                    + "controller, so it is never replaced by mistake. Remove it first to make a new one.");
        }
        List<String> hosts = options.containsKey("hosts") ? List.of(options.get("hosts").split(","))
                : List.of(InetAddress.getLocalHost().getHostName(), "localhost", "127.0.0.1");
        TlsIdentity identity = TlsIdentity.generate(keystore, password(options, true),
                hosts.stream().map(String::strip).filter(h -> !h.isEmpty()).toList(),
                Integer.parseInt(options.getOrDefault("valid-days", "3650")));
        out.println("Wrote " + keystore + ", certificate " + identity.fingerprint() + ". Start the agent with "
                + "--tls-keystore " + keystore + ", and trust the certificate on the controller with "
                + "'fleet:server-trust SERVER " + identity.fingerprint() + "'.");
    }

    private static void keygen(Path prefix, PrintStream out) throws IOException {
        KeyPair keys = OrderSigner.generateKeys();
        Path key = Path.of(prefix + ".key");
        Files.writeString(key, OrderSigner.pkcs8Pem(keys.getPrivate()));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.writeString(Path.of(prefix + ".pub"), TrustedKeys.openSshLine(keys.getPublic(),
                "fleetup-controller") + "\n");
        out.println("Wrote " + key + " and " + prefix + ".pub (" + TrustedKeys.keyId(keys.getPublic())
                + "): add the .pub line to each agent's trust file.");
    }

    private static String sign(Map<String, String> options) throws IOException {
        List<java.security.PublicKey> keys = TrustedKeys.read(Path.of(required(options, "pub"))).keys();
        if (keys.size() != 1) {
            throw new IllegalArgumentException("--pub must hold exactly one ssh-ed25519 line.");
        }
        OrderSigner signer = new OrderSigner(OrderSigner.readPkcs8Pem(Path.of(required(options, "key"))),
                keys.get(0));
        Instant expires = options.containsKey("expires") ? Instant.parse(options.get("expires"))
                : Instant.now().plusSeconds(Long.parseLong(options.getOrDefault("valid-seconds", "600")));
        return signer.sign(new InstallOrder(required(options, "agent"), Long.parseLong(required(options, "sequence")),
                expires, required(options, "product"), options.getOrDefault("kind", "application"),
                required(options, "version"), Boolean.parseBoolean(options.getOrDefault("forced", "false")),
                URI.create(required(options, "url")), Long.parseLong(required(options, "length")),
                required(options, "sha256"), signer.keyId(), options.getOrDefault("callback", "")));
    }
}
