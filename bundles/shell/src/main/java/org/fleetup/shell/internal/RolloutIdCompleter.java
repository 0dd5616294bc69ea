package org.fleetup.shell.internal;

import java.util.List;
import java.util.stream.Stream;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.Rollouts;

/** Completes the ids of the rollouts, those that have not ended first. */
@Service
public class RolloutIdCompleter implements Completer {

    @Reference
    private Rollouts rollouts;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        List<Rollout> all = rollouts.list();
        StringsCompleter ids = new StringsCompleter(Stream.concat(
                all.stream().filter(r -> !r.status().isFinal()), all.stream().filter(r -> r.status().isFinal()))
                .map(Rollout::id).toList());
        return ids.complete(session, commandLine, candidates);
    }
}
