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
import org.fleetup.agent.protocol.TrustedKeys;

/** The command line: {@code push} runs the agent; {@code keygen} and {@code sign} are the controller's tools. */
public final class Main {

    static final String USAGE = """
            Usage: java -jar fleetup-agent.jar push --listen HOST:PORT --root DIR --trust FILE --product NAME [options]
                   java -jar fleetup-agent.jar pull --server URL --product NAME --root DIR --trust FILE [options]
                   java -jar fleetup-agent.jar keygen --out PREFIX
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
                case "sign" -> System.out.print(sign(options));
                default -> throw new IllegalArgumentException("Unknown command '" + args[0] + "'.");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
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
                "health-command", "restart-command", "health-url", "busy-marker", "installable-wait", "command-timeout", "download-stall"));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown option --" + unknown.get(0) + ".");
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
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("download-stall", "30"))));
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
