package org.fleetup.inspection.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A component's configuration annotation as Declarative Services makes it: each value from {@code properties}, or the
 * annotation's own default when absent, so that tests see the defaults the component ships with.
 */
final class ComponentConfig {

    private ComponentConfig() {
    }

    static <A> A of(Class<A> type, Map<String, ?> properties) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getName().equals("annotationType")) {
                return type;
            }
            Object value = properties.get(method.getName());
            return value != null ? value : method.getDefaultValue();
        }));
    }
}
