package org.fleetup.network.internal;

import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.fleetup.api.transport.Transport;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;

/** A transport service as the framework would hand it to the registry: properties plus the offering bundle. */
final class RegisteredTransport implements ServiceReference<Transport> {

    private final Hashtable<String, Object> properties = new Hashtable<>();
    private final Bundle bundle;

    RegisteredTransport(long serviceId, String bundleName, Map<String, Object> properties) {
        this(serviceId, bundleName, "0.1.0", properties);
    }

    RegisteredTransport(long serviceId, String bundleName, String bundleVersion, Map<String, Object> properties) {
        this.properties.putAll(properties);
        this.properties.put(Constants.SERVICE_ID, serviceId);
        this.bundle = bundleNamed(bundleName, Version.parseVersion(bundleVersion));
    }

    /** Only the symbolic name and version are asked of a bundle; anything else would be a surprise worth failing on. */
    private static Bundle bundleNamed(String symbolicName, Version version) {
        return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getSymbolicName" -> symbolicName;
                    case "getVersion" -> version;
                    case "toString" -> symbolicName;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    void put(String key, Object value) {
        properties.put(key, value);
    }

    @Override
    public Object getProperty(String key) {
        return properties.get(key);
    }

    @Override
    public String[] getPropertyKeys() {
        return properties.keySet().toArray(String[]::new);
    }

    @Override
    public Bundle getBundle() {
        return bundle;
    }

    @Override
    public Bundle[] getUsingBundles() {
        return new Bundle[0];
    }

    @Override
    public boolean isAssignableTo(Bundle other, String className) {
        return true;
    }

    @Override
    public int compareTo(Object other) {
        throw new UnsupportedOperationException("the registry orders by ranking and id itself");
    }

    @Override
    public Dictionary<String, Object> getProperties() {
        return new Hashtable<>(properties);
    }

    @Override
    public <A> A adapt(Class<A> type) {
        return null;
    }
}
