package org.fleetup.rest.internal;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Base64;
import java.util.Set;
import java.util.stream.Collectors;

import javax.annotation.Priority;
import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import javax.ws.rs.Priorities;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.Response.Status;
import javax.ws.rs.core.SecurityContext;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.fleetup.api.FleetupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP basic over a Karaf JAAS realm, on every request: no anonymous access. A reader ({@code GET}, {@code HEAD}) needs
 * the viewer or the admin role; anything else the admin role. The log names the user and why a login failed, never
 * the password nor the header that carries it.
 */
@Priority(Priorities.AUTHENTICATION)
final class BasicAuthFilter implements ContainerRequestFilter {

    private static final Logger LOG = LoggerFactory.getLogger(BasicAuthFilter.class);
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final String realm;
    private final String adminRole;
    private final String viewerRole;

    BasicAuthFilter(String realm, String adminRole, String viewerRole) {
        this.realm = realm;
        this.adminRole = adminRole;
        this.viewerRole = viewerRole;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Credentials credentials = Credentials.of(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (credentials == null) {
            request.abortWith(unauthorized("Log in with HTTP basic authentication: a user of the Fleetup instance with"
                    + " role " + viewerRole + " or " + adminRole + " (see the README, 'The REST API')."));
            return;
        }
        Set<String> roles;
        try {
            roles = login(credentials);
        } catch (LoginException e) {
            LOG.warn("REST login refused for user '{}': {}", credentials.user(), e.getMessage());
            request.abortWith(unauthorized("User '" + credentials.user() + "' could not log in: wrong user or"
                    + " password."));
            return;
        }
        boolean reads = READS.contains(request.getMethod());
        if (!roles.contains(adminRole) && !(reads && roles.contains(viewerRole))) {
            LOG.warn("REST {} {} refused to user '{}' (roles {})", request.getMethod(),
                    request.getUriInfo().getPath(), credentials.user(), roles);
            request.abortWith(FleetupExceptionMapper.response(Status.FORBIDDEN, FleetupException.FORBIDDEN,
                    "User '" + credentials.user() + "' may not " + (reads ? "read this" : "change anything") + ": that"
                            + " needs role " + (reads ? viewerRole + " or " : "") + adminRole + "."));
            return;
        }
        request.setSecurityContext(new UserContext(credentials.user(), roles, request.getSecurityContext().isSecure()));
    }

    private Set<String> login(Credentials credentials) throws LoginException {
        // LoginContext loads the realm's login module through the context class loader: Karaf's proxy module lives
        // with its principals, not with the HTTP thread's loader.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(RolePrincipal.class.getClassLoader());
        try {
            return loginAs(credentials);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private Set<String> loginAs(Credentials credentials) throws LoginException {
        Subject subject = new Subject();
        LoginContext context = new LoginContext(realm, subject, callbacks -> {
            for (var callback : callbacks) {
                if (callback instanceof NameCallback name) {
                    name.setName(credentials.user());
                } else if (callback instanceof PasswordCallback password) {
                    password.setPassword(credentials.password());
                } else {
                    throw new UnsupportedCallbackException(callback);
                }
            }
        });
        context.login();
        try {
            return subject.getPrincipals(RolePrincipal.class).stream().map(Principal::getName)
                    .collect(Collectors.toUnmodifiableSet());
        } finally {
            context.logout();
        }
    }

    private Response unauthorized(String message) {
        return Response.fromResponse(FleetupExceptionMapper.response(Status.UNAUTHORIZED,
                FleetupException.UNAUTHENTICATED, message))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"fleetup\", charset=\"UTF-8\"").build();
    }

    /** The user and password of an {@code Authorization: Basic} header. */
    record Credentials(String user, char[] password) {

        /** {@code null} when the header is missing or is not basic credentials. */
        static Credentials of(String header) {
            if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
                return null;
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                return null;
            }
            return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1).toCharArray());
        }

        @Override
        public String toString() {
            return "Credentials[user=" + user + "]"; // never the password
        }
    }

    /** Who made the request, as the resources ask it. */
    private record UserContext(String user, Set<String> roles, boolean secure) implements SecurityContext {

        @Override
        public Principal getUserPrincipal() {
            return new UserPrincipal(user);
        }

        @Override
        public boolean isUserInRole(String role) {
            return roles.contains(role);
        }

        @Override
        public boolean isSecure() {
            return secure;
        }

        @Override
        public String getAuthenticationScheme() {
            return BASIC_AUTH;
        }
    }
}
