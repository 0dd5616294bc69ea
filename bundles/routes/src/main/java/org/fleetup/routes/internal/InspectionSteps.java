package org.fleetup.routes.internal;

import java.util.concurrent.Semaphore;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inspection.Inspector;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;

/** The work of the inspection route: one server at a time, recorded in the inventory. */
public final class InspectionSteps {

    /**
     * One server to inspect.
     *
     * @param limit shared by the servers of one request, so that it inspects at most its parallelism at once
     */
    public record Task(Server server, String product, Semaphore limit) {
    }

    private final Inspector inspector;
    private final Inventory inventory;

    InspectionSteps(Inspector inspector, Inventory inventory) {
        this.inspector = inspector;
        this.inventory = inventory;
    }

    public Inspection inspect(Task task) throws InterruptedException {
        task.limit().acquire();
        try {
            Inspection inspection = inspector.inspect(task.server(), task.product());
            inventory.recordInspection(inspection);
            return inspection;
        } finally {
            task.limit().release();
        }
    }
}
