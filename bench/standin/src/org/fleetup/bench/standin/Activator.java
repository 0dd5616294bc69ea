package org.fleetup.bench.standin;

import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;

import org.fleetup.api.transport.Transport;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Serves {@code standin://} once dropped into {@code deploy/}: the directory of the stand-ins' files is the system
 * property {@code fleetup.bench.standins} (the benchmark sets it in each controller's {@code etc/system.properties}).
 */
public final class Activator implements BundleActivator {

    private ServiceRegistration<Transport> registration;

    @Override
    public void start(BundleContext context) {
        String directory = context.getProperty("fleetup.bench.standins");
        if (directory == null) {
            throw new IllegalStateException("set fleetup.bench.standins to the stand-ins' directory");
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Transport.SCHEME, "standin");
        registration = context.registerService(Transport.class, new StandinTransport(Path.of(directory)), properties);
    }

    @Override
    public void stop(BundleContext context) {
        registration.unregister();
    }
}
