package org.fleetup.routes.internal;

import java.util.concurrent.Semaphore;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inspection.Inspector;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.rollout.RolloutRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The work of the inspection route: one server at a time, recorded in the inventory. */
public final class InspectionSteps {

    /**
     * One server to inspect.
     *
     * @param limit shared by the servers of one request, so that it inspects at most its parallelism at once
     */
    public record Task(Server server, String product, Semaphore limit) {
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(InspectionSteps.class);

    private final Inspector inspector;
    private final Inventory inventory;
    private final RolloutRepository links;

    /** Records no round trip: for a controller that orders no rollout by speed. */
    InspectionSteps(Inspector inspector, Inventory inventory) {
        this(inspector, inventory, null);
    }

    InspectionSteps(Inspector inspector, Inventory inventory, RolloutRepository links) {
        this.inspector = inspector;
        this.inventory = inventory;
        this.links = links;
    }

    public Inspection inspect(Task task) throws InterruptedException {
        task.limit().acquire();
        try {
            Inspection inspection = inspector.inspect(task.server(), task.product());
            inventory.recordInspection(inspection);
            recordRoundTrip(inspection);
            return inspection;
        } finally {
            task.limit().release();
        }
    }

    /**
     * An inspection connects (TCP, SSH handshake, login) and runs one command: a few round trips to the server, which
     * order by closeness the servers no transfer was timed to yet ({@code --order speed}), at no extra cost.
     */
    private void recordRoundTrip(Inspection inspection) {
        if (links == null || inspection.status() == Inspection.Status.UNREACHABLE || inspection.took() == null) {
            return;
        }
        try {
            links.recordRoundTrip(inspection.server(), inspection.took());
        } catch (RuntimeException e) {
            LOGGER.warn("The round trip to {} was not recorded; --order speed orders it by name", inspection.server(),
                    e);
        }
    }
}
