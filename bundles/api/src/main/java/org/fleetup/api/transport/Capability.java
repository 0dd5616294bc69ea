package org.fleetup.api.transport;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a transport can do on its servers ({@link Transport#capabilities()}), and so which install it can carry: an
 * install says what it needs ({@link org.fleetup.api.release.ProductProfile#needs}), and the plan refuses a server
 * whose transport lacks it before anything changes.
 */
public enum Capability {

    /** Runs a POSIX shell command on the server (ssh://). */
    COMMANDS("runs no commands", "commands"),
    /** Transfers files, with stat, rename and symbolic links (ssh://, sftp://). */
    FILES("transfers no files", "file transfer"),
    /**
     * Sends install orders to an agent that installs by itself (http://): the agent runs on the server whatever the
     * install needs, so this meets every need.
     */
    ORDERS("sends no install orders", "an agent");

    private final String lacking;
    private final String noun;

    Capability(String lacking, String noun) {
        this.lacking = lacking;
        this.noun = noun;
    }

    /**
     * One thing an install needs from the server's transport.
     *
     * @param capability what it needs
     * @param what the part of the install that needs it, as the operator knows it: {@code restartCommand},
     *        {@code the package strategy for app_2.0.0.deb}
     */
    public record Need(Capability capability, String what) {

        public Need {
            Objects.requireNonNull(capability, "capability");
            Objects.requireNonNull(what, "what");
        }
    }

    /** The needs that {@code offered} does not meet; {@link #ORDERS} meets them all. */
    public static List<Need> unmet(Set<Capability> offered, List<Need> needs) {
        if (offered.contains(ORDERS)) {
            return List.of();
        }
        return needs.stream().filter(need -> !offered.contains(need.capability())).toList();
    }

    /**
     * Why {@code server} at {@code address} cannot take the install, when its transport misses something the install
     * needs: "sftp-01 is reached over sftp://, which runs no commands; restartCommand needs commands". Empty when
     * nothing is missing.
     */
    public static Optional<String> refusal(String server, URI address, Set<Capability> offered, List<Need> needs) {
        List<Need> unmet = unmet(offered, needs);
        if (unmet.isEmpty()) {
            return Optional.empty();
        }
        String lacking = unmet.stream().map(Need::capability).distinct()
                .map(capability -> capability.lacking)
                .collect(Collectors.joining(" and "));
        String what = unmet.stream().map(need -> need.what() + " needs " + need.capability().noun)
                .collect(Collectors.joining(", "));
        return Optional.of(server + " is reached over " + address.getScheme() + "://, which " + lacking + "; "
                + what);
    }
}
