package org.fleetup.patch.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apache.cxf.Bus;
import org.apache.cxf.BusFactory;
import org.apache.cxf.endpoint.Server;
import org.apache.cxf.jaxrs.JAXRSServerFactoryBean;
import org.apache.cxf.jaxrs.lifecycle.SingletonResourceProvider;
import org.fleetup.agent.protocol.OrderSigner;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.agent.server.ControllerKey;
import org.fleetup.api.DataDirectory;
import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.VersionSchemes;
import org.fleetup.api.mirror.Mirror;
import org.fleetup.api.mirror.MirrorRegistry;
import org.fleetup.api.mirror.Mirrors;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.api.pull.PullRollouts;
import org.fleetup.api.release.ReleaseStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both sides of mirroring, in every instance: as a mirror, it publishes the mirror API at {@code /cxf/fleetup/mirror/v1}
 * and accepts writes only from the primary keys it is configured to trust; as a primary, it syncs the mirrors added
 * to it, on a scheduler and a pool of its own (stopped with the component), one sync per mirror at a time.
 */
@Component(immediate = true, service = Mirrors.class, configurationPid = MirrorComponent.PID)
@Designate(ocd = MirrorComponent.Config.class)
public final class MirrorComponent implements Mirrors {

    static final String PID = "org.fleetup.mirror";

    private static final Logger LOGGER = LoggerFactory.getLogger(MirrorComponent.class);

    @ObjectClassDefinition(name = "Fleetup mirrors",
            description = "This instance as a mirror of a primary, and as the primary of its mirrors")
    public @interface Config {
        @AttributeDefinition(description = "As a mirror: the trust file of the primaries whose writes are accepted "
                + "(ssh-ed25519 lines); a name in Karaf's etc directory or an absolute path. Empty: no mirror")
        String primaryKeys() default "";

        @AttributeDefinition(description = "The controller's signing key; empty: fleetup-controller.key in etc")
        String keyFile() default "";

        @AttributeDefinition(description = "Where the mirror API is published, under CXF's servlet (/cxf)")
        String address() default "/fleetup/mirror/v1";

        @AttributeDefinition(description = "As a mirror: how far a request's signing time may be from this clock, s")
        int maxClockSkewSeconds() default 300;

        @AttributeDefinition(description = "As a primary: seconds between two syncs of a mirror")
        int syncIntervalSeconds() default 60;

        @AttributeDefinition(description = "As a primary: seconds before the first retry of a mirror that is down")
        int retryMinSeconds() default 5;

        @AttributeDefinition(description = "As a primary: the longest wait between two retries, s")
        int retryMaxSeconds() default 600;

        @AttributeDefinition(description = "As a primary: seconds to connect to a mirror")
        int connectTimeoutSeconds() default 5;

        @AttributeDefinition(description = "As a primary: seconds one call to a mirror may take")
        int requestTimeoutSeconds() default 60;

        @AttributeDefinition(description = "As a primary: mirrors synced at once")
        int parallelSyncs() default 4;

        @AttributeDefinition(description = "As a primary: bytes of a blob sent in one call")
        int chunkBytes() default 4 * 1024 * 1024;

        @AttributeDefinition(description = "As a primary: seconds after a scheduled time before a mirror whose "
                + "agents still run an older version raises the overdue alarm")
        int overdueGraceSeconds() default 300;

        @AttributeDefinition(description = "The version scheme that tells the newer applied version: semantic, "
                + "maven, debian, serial, date")
        String versionScheme() default "semantic";
    }

    private final MirrorSync sync;
    private final ScheduledExecutorService ticker;
    private final ExecutorService syncs;
    private final ExecutorService calls;
    private final Server server;

    @Activate
    public MirrorComponent(@Reference MirrorRegistry registry, @Reference PullRegistry pull,
                           @Reference PullRollouts rollouts, @Reference ReleaseStore store, @Reference VersionSchemes schemes, Config config) {
        ControllerKey key = ControllerKey.openOrCreate(ControllerKey.file(config.keyFile()), "fleetup-controller");
        MirrorSigning own = signing(key);
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        AgentMerge merge = new AgentMerge(schemes.scheme(config.versionScheme()));
        Clock clock = Clock.systemUTC();
        Path primaryKeys = primaryKeys(config.primaryKeys());
        MirrorReceiver receiver = new MirrorReceiver(() -> trusted(primaryKeys), own, registry, pull, rollouts, store, merge,
                DataDirectory.resolve("mirror-incoming"), Duration.ofSeconds(config.maxClockSkewSeconds()), clock,
                json);
        // Published first: a failure here leaves no thread behind.
        this.server = publish(config.address(), new MirrorResource(receiver));
        this.calls = Executors.newFixedThreadPool(2, threads("fleetup-mirror-http"));
        HttpClient http = HttpClient.newBuilder().executor(calls)
                .connectTimeout(Duration.ofSeconds(config.connectTimeoutSeconds())).build();
        MirrorClient client = new MirrorClient(http, own, "/cxf" + config.address(),
                Duration.ofSeconds(config.requestTimeoutSeconds()), clock, json);
        this.sync = new MirrorSync(registry, pull, store, merge, client, new MirrorSync.Settings(
                Duration.ofSeconds(config.syncIntervalSeconds()), Duration.ofSeconds(config.retryMinSeconds()),
                Duration.ofSeconds(config.retryMaxSeconds()), Duration.ofSeconds(config.overdueGraceSeconds()),
                config.chunkBytes()), clock, json);
        this.syncs = Executors.newFixedThreadPool(Math.max(1, config.parallelSyncs()), threads("fleetup-mirror-sync"));
        this.ticker = Executors.newSingleThreadScheduledExecutor(threads("fleetup-mirror-tick"));
        ticker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        LOGGER.info("Mirror API published at /cxf{} ({}); mirrors synced every {} s, signed with {}",
                config.address(), primaryKeys == null ? "no primary trusted: not a mirror"
                        : "accepting the primaries of " + primaryKeys, config.syncIntervalSeconds(), own.keyId());
    }

    @Deactivate
    void stop() {
        ticker.shutdownNow();
        syncs.shutdownNow();
        calls.shutdownNow();
        server.destroy();
    }

    private void tick() {
        try {
            sync.tick(syncs);
        } catch (RuntimeException e) {
            // One bad tick (the database away a moment) does not end the schedule.
            LOGGER.warn("The mirror sync tick failed: {}", e.getMessage());
        }
    }

    @Override
    public Mirror add(String name, URI url, String publicKey) {
        return sync.add(name, url, publicKey);
    }

    @Override
    public Mirror syncNow(String name) {
        return sync.sync(name);
    }

    private static MirrorSigning signing(ControllerKey key) {
        try {
            PrivateKey privateKey = OrderSigner.readPkcs8Pem(key.privateFile());
            PublicKey publicKey = TrustedKeys.read(key.publicFile()).keys().get(0);
            return new MirrorSigning(privateKey, publicKey);
        } catch (IOException e) {
            throw new UncheckedIOException("The controller key " + key.privateFile() + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    private static Path primaryKeys(String configured) {
        if (configured == null || configured.isBlank()) {
            return null;
        }
        Path path = Path.of(configured.strip());
        return path.isAbsolute() ? path : Path.of(System.getProperty("karaf.etc", "etc")).resolve(path);
    }

    private static TrustedKeys trusted(Path file) {
        if (file == null) {
            return TrustedKeys.parse(List.of());
        }
        try {
            return Files.exists(file) ? TrustedKeys.read(file) : TrustedKeys.parse(List.of());
        } catch (IOException | IllegalArgumentException e) {
            LOGGER.warn("The primaries' trust file {} cannot be read ({}): every mirror write is refused until it "
                    + "is fixed.", file, e.getMessage());
            return TrustedKeys.parse(List.of());
        }
    }

    private static Server publish(String address, MirrorResource resource) {
        JAXRSServerFactoryBean factory = new JAXRSServerFactoryBean();
        factory.setAddress(address);
        factory.setResourceProvider(MirrorResource.class, new SingletonResourceProvider(resource));
        factory.setResourceClasses(List.of(MirrorResource.class));
        // CXF finds its extensions (the servlet transport among them) through the context class loader.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(JAXRSServerFactoryBean.class.getClassLoader());
        try {
            Bus bus = BusFactory.getDefaultBus(true);
            factory.setBus(bus);
            return factory.create();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static ThreadFactory threads(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
