package org.fleetup.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.Rollouts;

@Command(scope = "fleet", name = "rollout-resume", description = "Resumes a paused rollout: the wave that stopped it counts as done, and the next wave starts")
@Service
public class RolloutResumeCommand implements Action {

    @Reference
    private Rollouts rollouts;

    @Argument(index = 0, name = "id", required = true, description = "The rollout")
    @Completion(RolloutIdCompleter.class)
    private String id;

    @Override
    public Object execute() {
        Rollout rollout = rollouts.resume(id, Actors.current());
        System.out.println("Rollout " + rollout.id() + " " + rollout.status() + ": the next wave starts. Follow it with"
                + " 'fleet:rollout-status " + rollout.id() + "'.");
        return null;
    }
}
