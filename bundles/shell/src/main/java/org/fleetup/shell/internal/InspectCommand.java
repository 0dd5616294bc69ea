package org.fleetup.shell.internal;

import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.FleetInspection;

@Command(scope = "fleet", name = "inspect", description = "Reads the version every server runs")
@Service
public class InspectCommand implements Action {

    @Reference
    private FleetInspection fleet;

    @Reference
    private Inventory inventory;

    @Reference
    private ReleaseStore store;

    @Option(name = "--product", description = "The product to inspect; the only one in the store by default")
    private String product;

    @Option(name = "--cluster", description = "Only the servers of this cluster")
    private String cluster;

    @Option(name = "--parallel", description = "How many servers at once")
    private int parallel = 20;

    @Argument(index = 0, name = "servers", multiValued = true, description = "The servers; all by default")
    @Completion(ServerNameCompleter.class)
    private List<String> servers;

    @Override
    public Object execute() {
        List<Inspection> inspections = fleet.inspect(ServerSelection.of(inventory, servers, cluster),
                product == null ? onlyProduct() : product, parallel);
        ShellTable table = new ShellTable();
        table.column("Server");
        table.column("Version");
        table.column("Took");
        table.column("Detail").maxSize(100).wrap();
        inspections.forEach(i -> table.addRow().addContent(i.server(), Formats.version(i), Formats.duration(i.took()),
                i.detail() == null ? "" : i.detail()));
        table.print(System.out);
        System.out.println(inspections.stream().collect(Collectors.groupingBy(Formats::version,
                TreeMap::new, Collectors.counting())).entrySet().stream()
                .map(e -> e.getValue() + " × " + e.getKey()).collect(Collectors.joining(", ")));
        return null;
    }

    private String onlyProduct() {
        Set<String> products = store.list().stream().map(Release::product).collect(Collectors.toSet());
        if (products.size() != 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT, products.isEmpty()
                    ? "The store holds no release yet: name the product with --product"
                    : "The store holds several products " + products + ": name one with --product");
        }
        return products.iterator().next();
    }
}
