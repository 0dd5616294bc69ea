package org.fleetup.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Rollouts;

@Command(scope = "fleet", name = "rollout-cancel", description = "Cancels a rollout that has not ended: a scheduled"
        + " one never starts; a running one starts no new server, and ends once the servers in flight have")
@Service
public class RolloutCancelCommand implements Action {

    @Reference
    private Rollouts rollouts;

    @Argument(index = 0, name = "id", required = true, description = "The rollout")
    @Completion(RolloutIdCompleter.class)
    private String id;

    @Override
    public Object execute() {
        Rollout rollout = rollouts.cancel(id, Actors.current());
        System.out.println(rollout.status() == RolloutStatus.CANCELLED
                ? "Rollout " + rollout.id() + " cancelled: it will not start, and none of its servers was touched."
                : "Rollout " + rollout.id() + " is cancelling: no new server starts; the servers in flight finish or"
                        + " roll back, then it ends CANCELLED. Follow it with 'fleet:rollout-status " + rollout.id()
                        + "'.");
        return null;
    }
}
