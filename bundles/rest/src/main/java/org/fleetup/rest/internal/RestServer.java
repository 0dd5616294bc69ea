package org.fleetup.rest.internal;

import java.util.List;

import org.apache.cxf.Bus;
import org.apache.cxf.BusFactory;
import org.apache.cxf.endpoint.Server;
import org.apache.cxf.jaxrs.JAXRSServerFactoryBean;
import org.apache.cxf.jaxrs.lifecycle.SingletonResourceProvider;
import org.apache.cxf.jaxrs.openapi.OpenApiFeature;
import org.apache.cxf.jaxrs.sse.SseContextProvider;
import org.apache.cxf.jaxrs.sse.SseEventSinkContextProvider;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.inventory.ServerImport;
import org.fleetup.api.mirror.MirrorRegistry;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.release.Uploads;
import org.fleetup.api.rollout.FleetInspection;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.rollout.Scheduler;
import org.fleetup.api.transport.TransportRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.jaxrs.json.JacksonJsonProvider;

/**
 * Publishes the REST API on CXF's servlet ({@code /cxf} on Karaf's HTTP port): the resources over the same services as
 * the shell, JSON by Jackson, errors as JSON, every request authenticated against a Karaf JAAS realm.
 */
@Component(immediate = true, configurationPid = "org.fleetup.rest")
@Designate(ocd = RestServer.Config.class)
public final class RestServer {

    static final String DEFAULT_ADDRESS = "/fleetup/api/v1";
    static final String DEFAULT_REALM = "karaf";
    static final String DEFAULT_ADMIN_ROLE = "fleet-admin";
    static final String DEFAULT_VIEWER_ROLE = "fleet-viewer";

    @ObjectClassDefinition(name = "Fleetup REST API")
    public @interface Config {
        @AttributeDefinition(description = "Where the API is published, under CXF's servlet (/cxf)")
        String address() default DEFAULT_ADDRESS;

        @AttributeDefinition(description = "The Karaf JAAS realm users log in to with HTTP basic authentication")
        String realm() default DEFAULT_REALM;

        @AttributeDefinition(description = "The role that may change things: import, start, pause, cancel")
        String adminRole() default DEFAULT_ADMIN_ROLE;

        @AttributeDefinition(description = "The role that may only read")
        String viewerRole() default DEFAULT_VIEWER_ROLE;
    }

    private static final Logger LOG = LoggerFactory.getLogger(RestServer.class);

    private final Server server;

    @Activate
    public RestServer(@Reference Inventory inventory, @Reference ServerTrust trust,
                      @Reference ServerImport serverImport,
                      @Reference ReleaseStore store, @Reference FleetInspection fleet, @Reference Rollouts rollouts,
                      @Reference Scheduler scheduler, @Reference TransportRegistry transports,
                      @Reference Uploads uploads, @Reference PullRegistry pullAgents,
                      @Reference MirrorRegistry mirrors, Config config) {
        ObjectMapper json = Json.mapper();
        JAXRSServerFactoryBean factory = new JAXRSServerFactoryBean();
        factory.setAddress(config.address());
        factory.getFeatures().add(openApi());
        List<Object> resources = List.of(
                new ServersResource(inventory, trust, serverImport),
                new ReleasesResource(store),
                new PlansResource(fleet, inventory, store, rollouts),
                new RolloutsResource(rollouts, inventory, store, scheduler, json),
                new TransportsResource(transports, inventory),
                new ControllersResource(rollouts),
                new UploadsResource(uploads),
                new AgentsResource(pullAgents),
                new MirrorsResource(mirrors, json));
        resources.forEach(resource -> factory.setResourceProvider(resource.getClass(),
                new SingletonResourceProvider(resource)));
        factory.setResourceClasses(resources.stream().<Class<?>>map(Object::getClass).toList());
        factory.setProviders(List.of(
                new JacksonJsonProvider(json),
                new FleetupExceptionMapper(),
                new JsonExceptionMapper(),
                new WebApplicationExceptionMapper(),
                // what CXF's SseFeature adds, without its JAX-WS base class: Sse and SseEventSink for the event streams
                new SseContextProvider(),
                new SseEventSinkContextProvider(),
                new BasicAuthFilter(config.realm(), config.adminRole(), config.viewerRole())));
        // CXF finds its extensions (the servlet transport among them) through the context class loader.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(JAXRSServerFactoryBean.class.getClassLoader());
        try {
            Bus bus = BusFactory.getDefaultBus(true);
            factory.setBus(bus);
            server = factory.create();
        } finally {
            thread.setContextClassLoader(previous);
        }
        LOG.info("REST API published at /cxf{}", config.address());
    }

    /** {@code GET /openapi.json} (and {@code /openapi.yaml}): the API described from its resources, no UI. */
    private static OpenApiFeature openApi() {
        OpenApiFeature openApi = new OpenApiFeature();
        openApi.setTitle("Fleetup REST API");
        openApi.setVersion("v1");
        openApi.setDescription("The operator's API of Fleetup: the same verbs as the fleet: shell commands. HTTP basic"
                + " authentication; role fleet-admin may change things, fleet-viewer may only read.");
        // CXF would name the Apache licence by default; Fleetup's document names none.
        openApi.setLicense(null);
        openApi.setLicenseUrl(null);
        openApi.setPrettyPrint(true);
        openApi.setSupportSwaggerUi(false);
        openApi.setScan(false);
        return openApi;
    }

    @Deactivate
    void stop() {
        server.destroy();
    }
}
