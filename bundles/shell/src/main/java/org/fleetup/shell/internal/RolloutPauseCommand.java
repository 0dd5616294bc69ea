package org.fleetup.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.Rollouts;

@Command(scope = "fleet", name = "rollout-pause", description = "Pauses a rollout: no new server starts; the servers in flight finish or roll back. fleet:rollout-resume goes on")
@Service
public class RolloutPauseCommand implements Action {

    @Reference
    private Rollouts rollouts;

    @Argument(index = 0, name = "id", required = true, description = "The rollout")
    @Completion(RolloutIdCompleter.class)
    private String id;

    @Override
    public Object execute() {
        Rollout rollout = rollouts.pause(id, Actors.current());
        System.out.println("Rollout " + rollout.id() + " " + rollout.status() + ": no new server starts; the servers in flight"
                + " finish or roll back. Go on with 'fleet:rollout-resume " + rollout.id() + "'.");
        return null;
    }
}
