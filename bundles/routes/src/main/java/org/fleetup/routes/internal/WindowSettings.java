package org.fleetup.routes.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.ClusterWindow;
import org.fleetup.api.rollout.ClusterWindows;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The maintenance windows of {@code etc/org.fleetup.windows.cfg}, read again when the file changes without restarting
 * the routes: a running rollout goes on under the new windows at its next tick.
 */
@Component(service = {WindowSettings.class, ClusterWindows.class}, configurationPid = "org.fleetup.windows")
@Designate(ocd = WindowSettings.Config.class)
public final class WindowSettings implements ClusterWindows {

    @ObjectClassDefinition(name = "Fleetup maintenance windows", description = "When servers may be started, per"
            + " cluster; add cluster.<name> = DAYS HH:MM DURATION ZONE (or always) for a cluster's own window")
    public @interface Config {

        @AttributeDefinition(required = false, description = "The window of every cluster without one of its own,"
                + " e.g. 'Mon-Fri 02:00 3h Europe/Paris'; empty for always open")
        String defaultWindow() default "";
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(WindowSettings.class);

    private volatile MaintenanceWindows windows = MaintenanceWindows.ALWAYS_OPEN;

    @Activate
    public WindowSettings(Map<String, Object> properties) {
        modified(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        try {
            windows = MaintenanceWindows.of(properties);
            LOGGER.info("Maintenance windows: default {}; clusters of their own: {}",
                    windows.fallback().map(Object::toString).orElse(MaintenanceWindows.ALWAYS),
                    windows.clusters().entrySet().stream().map(entry -> entry.getKey() + " = " + entry.getValue()
                            .map(Object::toString).orElse(MaintenanceWindows.ALWAYS)).toList());
        } catch (FleetupException e) {
            LOGGER.error("{} Until then no server is started.", e.getMessage());
            windows = MaintenanceWindows.broken(e.getMessage());
        }
    }

    MaintenanceWindows windows() {
        return windows;
    }

    @Override
    public List<ClusterWindow> windows(Instant at) {
        return windows.describe(at);
    }
}
