package org.fleetup.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;

/** Completes releases as {@code product/version}. */
@Service
public class ReleaseCompleter implements Completer {

    @Reference
    private ReleaseStore store;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter releases = new StringsCompleter(store.list().stream().map(Release::coordinates).toList());
        return releases.complete(session, commandLine, candidates);
    }
}
