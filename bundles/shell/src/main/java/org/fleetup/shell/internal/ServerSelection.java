package org.fleetup.shell.internal;

import java.util.List;

import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;

/** The servers a command works on: those named, else those of a cluster, else the whole fleet. */
final class ServerSelection {

    private ServerSelection() {
    }

    static List<Server> of(Inventory inventory, List<String> names, String cluster) {
        return inventory.select(names, cluster);
    }
}
