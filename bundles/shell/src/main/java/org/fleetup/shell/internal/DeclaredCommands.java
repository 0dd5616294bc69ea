package org.fleetup.shell.internal;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.BundleWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands of one scope ({@code scope:name}) that the bundles this framework starts declare to Karaf's console:
 * the classes annotated {@code @Service} and {@code @Command} in the packages of each bundle's {@code Karaf-Commands}
 * header, found as Karaf's command extender finds them. A bundle counts while it runs (starting or active), and while
 * the framework is still to start it (persistently started, at a start level above the framework's for now); not one
 * that was stopped or failed to start. Empty while such a bundle is not resolved: what it declares cannot be read
 * then, and while Karaf's features service has not published {@code BootFinished}: at a first start it installs the
 * boot features' bundles and then starts them, and one not started yet would not be counted (at a restart it is
 * published at once).
 *
 * <p>Each bundle is read once for each time it was installed or updated.
 */
final class DeclaredCommands implements Supplier<Optional<Set<String>>> {

    static final String KARAF_COMMANDS = "Karaf-Commands";
    /** By name: the service is all this needs of Karaf's features service, no package of it. */
    static final String BOOT_FINISHED = "org.apache.karaf.features.BootFinished";

    private static final Logger LOG = LoggerFactory.getLogger(DeclaredCommands.class);

    private final BundleContext context;
    private final String scope;
    private final Map<String, Set<String>> read = new ConcurrentHashMap<>();

    DeclaredCommands(BundleContext context, String scope) {
        this.context = context;
        this.scope = scope;
    }

    @Override
    public Optional<Set<String>> get() {
        if (context.getServiceReference(BOOT_FINISHED) == null) {
            return Optional.empty();
        }
        int now = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkStartLevel.class).getStartLevel();
        Set<String> commands = new TreeSet<>();
        for (Bundle bundle : context.getBundles()) {
            String header = bundle.getHeaders("").get(KARAF_COMMANDS);
            if (header == null || !(runs(bundle) || toBeStarted(bundle, now))) {
                continue;
            }
            BundleWiring wiring = bundle.adapt(BundleWiring.class);
            if (wiring == null) {
                return Optional.empty();
            }
            commands.addAll(read.computeIfAbsent(bundle.getBundleId() + "@" + bundle.getLastModified(),
                    key -> declared(bundle, wiring, header)));
        }
        return Optional.of(commands);
    }

    private static boolean runs(Bundle bundle) {
        return (bundle.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0;
    }

    private static boolean toBeStarted(Bundle bundle, int frameworkStartLevel) {
        BundleStartLevel level = bundle.adapt(BundleStartLevel.class);
        return level != null && level.isPersistentlyStarted() && level.getStartLevel() > frameworkStartLevel;
    }

    private Set<String> declared(Bundle bundle, BundleWiring wiring, String header) {
        Set<String> commands = new TreeSet<>();
        for (String clause : header.split(",")) {
            String path = clause.split(";", 2)[0].strip().replace('.', '/');
            int options = BundleWiring.LISTRESOURCES_LOCAL;
            if (path.endsWith("*")) {
                options |= BundleWiring.LISTRESOURCES_RECURSE;
                path = path.substring(0, path.length() - 1);
            }
            path = "/" + path.replaceAll("^/+|/+$", "");
            for (String resource : wiring.listResources(path, "*.class", options)) {
                String className = resource.replace('/', '.').replaceAll("\\.class$", "");
                try {
                    Class<?> type = bundle.loadClass(className);
                    Command command = type.getAnnotation(Command.class);
                    if (command != null && type.isAnnotationPresent(Service.class) && scope.equals(command.scope())) {
                        commands.add(command.scope() + ":" + command.name());
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    // Karaf's extender skips such a class too: it registers nothing from it
                    LOG.debug("{} of bundle {} not read", className, bundle.getSymbolicName(), e);
                }
            }
        }
        return commands;
    }
}
