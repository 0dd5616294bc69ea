package org.fleetup.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.fleetup.agent.protocol.PatchCheck;

/**
 * How the pull agent was started ({@code java -jar fleetup-agent.jar pull ...}, see {@link Main#USAGE}).
 *
 * @param server the patch server's base URL as the operator typed it; the state's address wins once there is one
 * @param mac the agent's MAC address, in {@link PatchCheck#mac} form: its id towards the patch server
 * @param address its own address, told to the patch server
 * @param interval how long after a check with nothing newer the next one comes (plus a little jitter)
 * @param pullState the pull state file (server, interval, next check, applied version)
 * @param install what the install needs, as for a push agent: root, trust, product, health check, the orders' state
 */
record PullOptions(URI server, String mac, String address, Duration interval, Path pullState, AgentOptions install) {

    private static final List<String> KNOWN = List.of("server", "product", "root", "trust", "interval", "state",
            "mac", "address", "kind", "scheme", "health-command", "restart-command", "health-url", "busy-marker",
            "installable-wait", "command-timeout", "download-stall");

    static PullOptions parse(Map<String, String> options) throws IOException {
        List<String> unknown = new ArrayList<>(options.keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown option --" + unknown.get(0) + ".");
        }
        URI server = URI.create(required(options, "server").replaceAll("/+$", ""));
        if (!"http".equals(server.getScheme()) && !"https".equals(server.getScheme()) || server.getHost() == null) {
            throw new IllegalArgumentException("--server must be the patch server's http:// or https:// address, "
                    + "such as http://fleetup:8181, not '" + server + "'.");
        }
        Path root = Path.of(required(options, "root")).toAbsolutePath().normalize();
        Path state = Path.of(options.getOrDefault("state", root.resolve(".fleetup").resolve("pull.state").toString()))
                .toAbsolutePath();
        String mac = PatchCheck.mac(options.containsKey("mac") ? options.get("mac") : interfaceMac());
        // The orders and their install journals beside the pull state, in the push agent's own form.
        Path orders = state.resolveSibling(state.getFileName() + ".orders");
        AgentOptions install = new AgentOptions(null, root, Path.of(required(options, "trust")), orders, mac,
                required(options, "product"), options.getOrDefault("kind", "application"),
                options.getOrDefault("scheme", "semantic"),
                options.getOrDefault("health-command", "cat current/VERSION"),
                options.getOrDefault("restart-command", ""), options.getOrDefault("health-url", ""),
                options.getOrDefault("busy-marker", ".busy"),
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("installable-wait", "300"))),
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("command-timeout", "30"))),
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("download-stall", "30"))), null);
        return new PullOptions(server, mac, options.getOrDefault("address", InetAddress.getLocalHost()
                .getHostAddress()), duration(options.getOrDefault("interval", "30m")), state, install);
    }

    /** {@code 30m}, {@code 90s}, {@code 2h}, {@code 1d}, or an ISO-8601 duration ({@code PT30M}). */
    static Duration duration(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        try {
            Duration duration;
            if (value.startsWith("p")) {
                duration = Duration.parse(value.toUpperCase(Locale.ROOT));
            } else {
                long amount = Long.parseLong(value.substring(0, value.length() - 1));
                duration = switch (value.charAt(value.length() - 1)) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    case 'h' -> Duration.ofHours(amount);
                    case 'd' -> Duration.ofDays(amount);
                    default -> throw new NumberFormatException("no unit");
                };
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new NumberFormatException("not positive");
            }
            return duration;
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("--interval must be a positive duration such as 30m, 90s or 2h, not '"
                    + text + "'.");
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("The option --" + name + " is required.");
        }
        return value;
    }

    // The first interface that is up, not a loopback, and has a hardware address: the server's identity.
    private static String interfaceMac() throws IOException {
        for (NetworkInterface each : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            byte[] hardware = each.isUp() && !each.isLoopback() ? each.getHardwareAddress() : null;
            if (hardware != null && hardware.length == 6) {
                return HexFormat.ofDelimiter("-").formatHex(hardware);
            }
        }
        throw new IllegalArgumentException("This machine shows no network interface with a MAC address: give one "
                + "with --mac.");
    }
}
