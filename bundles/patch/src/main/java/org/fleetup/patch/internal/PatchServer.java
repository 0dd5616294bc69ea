package org.fleetup.patch.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.apache.cxf.Bus;
import org.apache.cxf.BusFactory;
import org.apache.cxf.endpoint.Server;
import org.apache.cxf.jaxrs.JAXRSServerFactoryBean;
import org.apache.cxf.jaxrs.lifecycle.SingletonResourceProvider;
import org.fleetup.api.comparison.VersionSchemes;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.api.pull.PullRollouts;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.agent.server.ArtifactServer;
import org.fleetup.agent.server.ControllerKey;
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
 * Publishes the patch server for pull agents on CXF's servlet ({@code /cxf/fleetup/ddi/v1} on Karaf's HTTP port), and
 * serves them the artifacts (an {@link ArtifactServer} of its own, on an address of its own). Offers are signed with
 * the controller's key, the one the push transport signs with ({@link ControllerKey} makes it once, whichever of the
 * two opens it first), yet neither needs the other: either can be removed while the other serves.
 */
@Component(immediate = true, configurationPid = PatchServer.PID)
@Designate(ocd = PatchServer.Config.class)
public final class PatchServer {

    static final String PID = "org.fleetup.patch";

    private static final Logger LOGGER = LoggerFactory.getLogger(PatchServer.class);

    @ObjectClassDefinition(name = "Fleetup patch server",
            description = "Where pull agents check for newer releases, and how they are answered")
    public @interface Config {
        @AttributeDefinition(description = "Where the agents' API is published, under CXF's servlet (/cxf); the "
                + "agents append /cxf/fleetup/ddi/v1 to the --server they are given")
        String address() default "/fleetup/ddi/v1";

        @AttributeDefinition(description = "The controller's signing key; empty: fleetup-controller.key in Karaf's "
                + "etc directory, as the push transport's")
        String keyFile() default "";

        @AttributeDefinition(description = "The address (host:port) the agents' artifact server listens on; port 0: "
                + "any free one")
        String artifactListen() default "127.0.0.1:0";

        @AttributeDefinition(description = "The URL at which the agents reach the artifact server; empty: "
                + "http://<artifactListen>")
        String artifactUrl() default "";

        @AttributeDefinition(description = "Seconds an offered release's signed order stays valid")
        int orderValiditySeconds() default 3600;

        @AttributeDefinition(description = "Checks answered at once; more are told 503 with Retry-After")
        int maxConcurrentChecks() default 64;

        @AttributeDefinition(description = "Seconds an agent told the server is busy waits before it checks again")
        int retryAfterSeconds() default 30;

        @AttributeDefinition(description = "The version scheme that decides whether a release is newer than the one "
                + "an agent runs: semantic, maven, debian, serial, date")
        String versionScheme() default "semantic";
    }

    private final ArtifactServer artifacts;
    private final Server server;

    @Activate
    public PatchServer(@Reference PullRegistry registry, @Reference PullRollouts rollouts, @Reference ReleaseStore store,
                       @Reference VersionSchemes schemes, Config config) {
        ControllerKey key = ControllerKey.openOrCreate(ControllerKey.file(config.keyFile()), "fleetup-controller");
        try {
            this.artifacts = new ArtifactServer(store, ArtifactServer.listenAddress(config.artifactListen()), 8);
        } catch (IOException e) {
            throw new UncheckedIOException("The pull agents' artifact server cannot listen on "
                    + config.artifactListen() + " (" + e.getMessage() + "): set artifactListen in etc/" + PID
                    + ".cfg to a free address.", e);
        }
        URI base = config.artifactUrl().isBlank()
                ? URI.create("http://" + artifacts.address().getHostString() + ":" + artifacts.address().getPort())
                : URI.create(config.artifactUrl().strip());
        PatchService service = new PatchService(registry, rollouts, store, schemes.scheme(config.versionScheme()),
                key.signer(), base, Duration.ofSeconds(config.orderValiditySeconds()), Clock.systemUTC());
        PatchResource resource = new PatchResource(service, config.maxConcurrentChecks(), config.retryAfterSeconds());
        JAXRSServerFactoryBean factory = new JAXRSServerFactoryBean();
        factory.setAddress(config.address());
        factory.setResourceProvider(PatchResource.class, new SingletonResourceProvider(resource));
        factory.setResourceClasses(List.of(PatchResource.class));
        // CXF finds its extensions (the servlet transport among them) through the context class loader.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(JAXRSServerFactoryBean.class.getClassLoader());
        try {
            Bus bus = BusFactory.getDefaultBus(true);
            factory.setBus(bus);
            server = factory.create();
        } catch (RuntimeException e) {
            artifacts.close();
            throw e;
        } finally {
            thread.setContextClassLoader(previous);
        }
        LOGGER.info("Patch server for pull agents published at /cxf{}, offers signed with {}, artifacts from {}",
                config.address(), key.keyId(), base);
    }

    @Deactivate
    void stop() {
        server.destroy();
        artifacts.close();
    }
}
