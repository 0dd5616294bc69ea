package org.fleetup.inspection.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.VersionScheme;
import org.fleetup.api.comparison.VersionSchemes;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inspection.Inspection.Status;
import org.fleetup.api.inspection.Inspector;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;
import org.fleetup.api.transport.InstallingTransport;
import org.fleetup.api.transport.Transport;
import org.fleetup.api.transport.TransportRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the version a server runs by running its product profile's version command in the product's root, over a
 * session of the server's transport; when it fails, the same command tells whether nothing is installed (see
 * {@link InstallationProbe}). What goes wrong on the server is the result, never an exception; what is wrong
 * with Fleetup's own setup (no transport for the address, an unknown version scheme) is thrown, so that the caller
 * stops at once instead of reporting every server as broken.
 */
@Component(service = Inspector.class, configurationPid = "org.fleetup.inspection")
@Designate(ocd = SessionInspector.Config.class)
public final class SessionInspector implements Inspector {

    private static final Logger LOGGER = LoggerFactory.getLogger(SessionInspector.class);

    /** What a version printed is cut to in a message. */
    private static final int SHOWN_OUTPUT = 80;

    @ObjectClassDefinition(name = "Fleetup inspection", description = "Reading the version each server runs")
    public @interface Config {

        @AttributeDefinition(min = "1", description = "How long the version command may run on a server, in"
                + " seconds, before the inspection fails")
        int commandTimeoutSeconds() default 30;
    }

    private final TransportRegistry transports;
    private final ProductProfiles profiles;
    private final VersionSchemes schemes;
    private final Duration commandTimeout;

    @Activate
    public SessionInspector(@Reference TransportRegistry transports, @Reference ProductProfiles profiles,
                            @Reference VersionSchemes schemes, Config config) {
        if (config.commandTimeoutSeconds() < 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "commandTimeoutSeconds of"
                    + " org.fleetup.inspection is " + config.commandTimeoutSeconds() + "; set it to 1 or more.");
        }
        this.transports = transports;
        this.profiles = profiles;
        this.schemes = schemes;
        this.commandTimeout = Duration.ofSeconds(config.commandTimeoutSeconds());
    }

    /**
     * @throws FleetupException {@link FleetupException#TRANSPORT_MISSING} when no transport serves the server's
     *         address, {@link FleetupException#SCHEME_UNKNOWN} when the product's profile names an unknown scheme,
     *         {@link FleetupException#RELEASE_INVALID} when {@code product} is not a product name, before anything
     *         is built or connected
     */
    @Override
    public Inspection inspect(Server server, String product) {
        Instant at = Instant.now();
        long start = System.nanoTime();
        VersionScheme scheme = schemes.scheme(profiles.profile(product).scheme());
        Transport transport = transports.transportFor(server.address());
        if (transport instanceof InstallingTransport installing) {
            // No command runs there: the server reports its version itself.
            return installing.inspect(server, product);
        }
        Probe command;
        try {
            command = probe(profiles.profile(product, server));
        } catch (FleetupException e) {
            return result(server, product, Status.FAILED, null, e.getMessage(), at, start);
        }
        Session session;
        try {
            session = transport.connect(server);
        } catch (FleetupException e) {
            if (FleetupException.TRANSPORT_MISSING.equals(e.code())) {
                throw e;
            }
            return result(server, product, Status.UNREACHABLE, null, e.getMessage(), at, start);
        }
        try (session) {
            return read(session, server, product, command, scheme, at, start);
        }
    }

    /**
     * @throws FleetupException {@link FleetupException#SCHEME_UNKNOWN} or {@link FleetupException#RELEASE_INVALID}
     *         as {@link #inspect(Server, String)}
     */
    @Override
    public Inspection inspect(Session session, Server server, String product) {
        Instant at = Instant.now();
        long start = System.nanoTime();
        VersionScheme scheme = schemes.scheme(profiles.profile(product).scheme());
        Probe command;
        try {
            command = probe(profiles.profile(product, server));
        } catch (FleetupException e) {
            return result(server, product, Status.FAILED, null, e.getMessage(), at, start);
        }
        return read(session, server, product, command, scheme, at, start);
    }

    @Override
    public Optional<String> command(Server server, String product) {
        try {
            return Optional.of(probe(profiles.profile(product, server)).script());
        } catch (FleetupException e) {
            // The inspection over a session tells what is wrong with the profile.
            return Optional.empty();
        }
    }

    /** What {@link #command} printed, judged as an inspection over a session would be, without asking again. */
    @Override
    public Inspection read(Server server, String product, CommandResult printed) {
        Instant at = Instant.now();
        long start = System.nanoTime();
        VersionScheme scheme = schemes.scheme(profiles.profile(product).scheme());
        return judged(server, product, probe(profiles.profile(product, server)), scheme, printed, firstLine(printed),
                at, start);
    }

    private Inspection read(Session session, Server server, String product, Probe command, VersionScheme scheme,
                            Instant at, long start) {
        CommandResult result;
        try {
            result = session.execute(command.script(), commandTimeout);
        } catch (FleetupException e) {
            Status status = FleetupException.COMMAND_TIMEOUT.equals(e.code()) ? Status.FAILED : Status.UNREACHABLE;
            return result(server, product, status, null, e.getMessage(), at, start);
        }
        String printed = firstLine(result);
        if (result.succeeded() && printed.isEmpty()) {
            // A version command that succeeded and printed nothing is asked once more before that counts: under load
            // an answer was seen lost, and an empty one would fail a current server or roll back a verified release.
            try {
                CommandResult again = session.execute(command.script(), commandTimeout);
                if (again.succeeded()) {
                    printed = firstLine(again);
                }
            } catch (FleetupException e) {
                LOGGER.debug("Asking {} for its version again failed: {}", server.name(), e.getMessage());
            }
        }
        return judged(server, product, command, scheme, result, printed, at, start);
    }

    private static Inspection judged(Server server, String product, Probe command, VersionScheme scheme,
                                     CommandResult result, String printed, Instant at, long start) {
        if (InstallationProbe.notInstalled(result)) {
            return result(server, product, Status.NOT_INSTALLED, null, "no " + command.root() + "/current", at,
                    start);
        }
        if (!result.succeeded()) {
            return result(server, product, Status.FAILED, null, "'" + command.versionCommand()
                    + "' failed with exit code " + result.exitCode() + ": " + result.problem(), at, start);
        }
        if (!scheme.isValid(printed)) {
            return result(server, product, Status.UNPARSABLE, null, (printed.isEmpty() ? "printed nothing"
                    : "printed '" + shown(printed) + "'") + ", not a " + scheme.name() + " version", at, start);
        }
        return result(server, product, Status.OK, printed, null, at, start);
    }

    private static String firstLine(CommandResult result) {
        return result.stdout().lines().findFirst().orElse("").strip();
    }

    /**
     * {@code cd <root> && <versionCommand>}, the root written as the install writes it
     * ({@link ProductProfile#shellRoot()}).
     */
    static String versionCommand(ProductProfile profile) {
        return "cd " + rootWord(profile) + " && " + profile.versionCommand();
    }

    /** The root as one word for the server's shell, as the install writes it. */
    static String rootWord(ProductProfile profile) {
        return profile.shellRoot();
    }

    /** The version command, and what the server runs: the same, telling "not installed" apart when it fails. */
    static Probe probe(ProductProfile profile) {
        String versionCommand = versionCommand(profile);
        return new Probe(versionCommand, InstallationProbe.wrap(rootWord(profile), versionCommand), profile.root());
    }

    /**
     * @param versionCommand what an operator reads in a message
     * @param script what runs on the server
     * @param root the profile's root, for a message
     */
    record Probe(String versionCommand, String script, String root) {
    }

    private static String shown(String printed) {
        return printed.length() <= SHOWN_OUTPUT ? printed : printed.substring(0, SHOWN_OUTPUT) + "...";
    }

    private static Inspection result(Server server, String product, Status status, String version, String detail,
                                     Instant at, long start) {
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (status == Status.OK) {
            LOGGER.debug("{} runs {} {} (read in {} ms)", server.name(), product, version, took.toMillis());
        } else {
            LOGGER.info("Inspection of {} on {}: {}, {}", product, server.name(), status, detail);
        }
        return new Inspection(server.name(), product, status, version, detail, at, took);
    }
}
