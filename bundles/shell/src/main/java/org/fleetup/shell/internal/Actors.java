package org.fleetup.shell.internal;

import java.security.AccessController;
import java.security.Principal;

import javax.security.auth.Subject;

import org.apache.karaf.jaas.boot.principal.UserPrincipal;

/** Who is typing, for the audit trail. */
final class Actors {

    private Actors() {
    }

    @SuppressWarnings("removal")
    static String current() {
        Subject subject = Subject.getSubject(AccessController.getContext());
        if (subject == null) {
            return "console";
        }
        return subject.getPrincipals(UserPrincipal.class).stream().findFirst().map(Principal::getName)
                .orElse("console");
    }
}
