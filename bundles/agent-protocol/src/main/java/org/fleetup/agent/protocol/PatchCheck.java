package org.fleetup.agent.protocol;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a pull agent tells its patch server at each check, posted as {@code text/plain} to
 * {@code <server>/cxf/fleetup/ddi/v1/agents/<mac>/check} (the agent is identified by its MAC, as hawkBit's DDI
 * identifies a controller by its id; it holds no credentials: what it may install is decided by the signature of
 * the offer, not by who asks):
 *
 * <pre>
 * product: demo-app
 * version: 1.4.2        the version it runs, "" for none
 * address: 10.0.0.17    its own address, for the operator
 * sequence: 12          the last order sequence it accepted; an offer must be signed higher
 * interval: 1800        seconds until its next check when nothing is newer
 * </pre>
 *
 * @param product the product it installs
 * @param version the version it runs; {@code ""} for none
 * @param address its own address
 * @param sequence the sequence of the last order it accepted, 0 for none
 * @param interval its check interval in seconds, 0 when it does not say
 */
public record PatchCheck(String product, String version, String address, long sequence, long interval) {

    /** Where the agents' API is under the patch server's base URL an operator types. */
    public static final String API = "/cxf/fleetup/ddi/v1";

    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(-[0-9a-f]{2}){5}");

    public PatchCheck {
        if (sequence < 0 || interval < 0) {
            throw new IllegalArgumentException("sequence and interval must not be negative");
        }
        PatchAnswer.requireValue("product", product);
        PatchAnswer.requireValue("version", version);
        PatchAnswer.requireValue("address", address);
    }

    public String text() {
        return PatchAnswer.lines(ordered("product", product, "version", version, "address", address,
                "sequence", Long.toString(sequence), "interval", Long.toString(interval)), "product", "version", "address",
                "sequence", "interval");
    }

    /** @throws IllegalArgumentException when the text is not a check */
    public static PatchCheck parse(String text) {
        Map<String, String> fields = PatchAnswer.fields(text);
        try {
            return new PatchCheck(required(fields, "product"), fields.getOrDefault("version", ""),
                    fields.getOrDefault("address", ""), Long.parseLong(required(fields, "sequence")),
                    Long.parseLong(fields.getOrDefault("interval", "0")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sequence or interval is not a number: " + e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("the check has no " + name);
        }
        return value;
    }

    /**
     * The one form of a MAC address in Fleetup: six lower-case hex pairs joined by {@code -} (a plain word, so that
     * it is an install order's agent id and a URL path segment as it stands).
     *
     * @throws IllegalArgumentException when {@code mac} is no MAC address
     */
    public static String mac(String mac) {
        String normal = mac == null ? "" : mac.strip().toLowerCase(Locale.ROOT).replace(':', '-');
        if (!MAC.matcher(normal).matches()) {
            throw new IllegalArgumentException("'" + mac + "' is not a MAC address (six hex pairs, such as "
                    + "02:00:00:00:00:01)");
        }
        return normal;
    }

    static Map<String, String> ordered(String... namesAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }
}
