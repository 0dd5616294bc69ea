package org.fleetup.routes.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A component's configuration annotation as Declarative Services makes it, outside OSGi: each value from
 * {@code properties}, or the annotation's own default when absent.
 */
final class ComponentConfigs {

    private ComponentConfigs() {
    }

    static <A> A of(Class<A> type, Map<String, ?> properties) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return type;
                    }
                    Object value = properties.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                }));
    }

    static <A> A defaults(Class<A> type) {
        return of(type, Map.of());
    }
}
