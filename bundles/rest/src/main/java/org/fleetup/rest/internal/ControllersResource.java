package org.fleetup.rest.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.fleetup.api.rollout.Rollouts;

/** {@link ControllersApi} over the controllers' heartbeats in the inventory. */
public final class ControllersResource implements ControllersApi {

    private static final Map<String, Comparator<? super ControllerView>> FIELDS = Map.of(
            "id", Sorting.by(ControllerView::id),
            "address", Sorting.by(ControllerView::address),
            "heartbeat", Comparator.comparing(ControllerView::heartbeat),
            "actionsHeld", Comparator.comparingInt(ControllerView::actionsHeld));

    private final Rollouts rollouts;

    ControllersResource(Rollouts rollouts) {
        this.rollouts = rollouts;
    }

    @Override
    public Page<ControllerView> list(String offset, String limit, String sort) {
        Instant now = Instant.now();
        List<ControllerView> views = rollouts.controllers().stream()
                .map(controller -> new ControllerView(controller.id(), controller.address(), controller.started(),
                        controller.heartbeat(), Duration.between(controller.heartbeat(), now).toMillis(),
                        controller.aliveAt(now), controller.actionsHeld(), controller.roles()))
                .toList();
        return Page.of(views, offset, limit, sort, FIELDS, "id:ASC");
    }
}
