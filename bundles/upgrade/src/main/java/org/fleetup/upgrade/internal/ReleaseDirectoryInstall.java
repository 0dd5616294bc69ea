package org.fleetup.upgrade.internal;

import static org.fleetup.api.ShellWords.quote;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.ShellWords;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseNames;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "release directories" install strategy, over one session: the artifact is staged, verified on the server,
 * unpacked beside the running release, checked against its manifest, and only then made current by an atomic
 * symlink switch; the health check decides whether it stays or the previous release comes back. Whatever happens,
 * either the old release runs or the new one does, verified.
 *
 * <p>A first install (no {@code current}, perhaps no root) is the same procedure with nothing to roll back to: when
 * it does not end verified, the new release and {@code current} are removed, and so is every directory the install
 * created (the root and its missing parents, {@code staging/}, {@code releases/}) as long as it is empty, so that
 * the server is left as it was. Directories that were there before are never removed.
 *
 * <pre>
 * &lt;root&gt;/releases/&lt;version&gt;/   one directory per installed release
 * &lt;root&gt;/current            symlink to releases/&lt;version&gt;, the running one
 * &lt;root&gt;/staging/           artifacts while they are transferred and verified
 * </pre>
 */
public final class ReleaseDirectoryInstall {

    private static final Logger LOGGER = LoggerFactory.getLogger(ReleaseDirectoryInstall.class);

    static final String MANIFEST = "MANIFEST.sha256";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    // Checksumming and unpacking a large artifact takes longer than a command: 1 s more per 16 MiB.
    private static final long HEAVY_BYTES_PER_SECOND = 16L * 1024 * 1024;

    /** What must hold, beyond the health check, for the new release to stay. */
    @FunctionalInterface
    public interface Confirmation {

        /** @return empty when the new release is confirmed, else why not, in words for people */
        Optional<String> problem(Session session);
    }

    public static final Confirmation HEALTH_CHECK_ONLY = session -> Optional.empty();

    private final Duration commandTimeout;
    private final int verifyAttempts;

    /**
     * @param commandTimeout how long one command on the server may run
     * @param verifyAttempts how many times the artifact is sent before a checksum mismatch on the server is final
     */
    public ReleaseDirectoryInstall(Duration commandTimeout, int verifyAttempts) {
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new FleetupException(FleetupException.INVALID_INPUT,
                    "The command timeout must be positive, not " + commandTimeout + ".");
        }
        if (verifyAttempts < 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT,
                    "verifyAttempts must be at least 1, not " + verifyAttempts + ".");
        }
        this.commandTimeout = commandTimeout;
        this.verifyAttempts = verifyAttempts;
    }

    /** Installs with the health check as the only confirmation. */
    public ServerOutcome install(Session session, Supplier<Session> reconnect, ProductProfile profile, Release release,
                                 Supplier<InputStream> artifact, StepReporter steps) {
        return install(session, reconnect, profile, release, artifact, steps, HEALTH_CHECK_ONLY);
    }

    /**
     * Installs {@code release} on the server {@code session} reaches and makes it current, or leaves the previous
     * release running.
     *
     * @param session open to the server; the caller keeps and closes it
     * @param reconnect opens a new session when this one dies, to roll back or clean up; may be {@code null}
     * @param profile the product's profile for this server, its {@code ${name}} attributes already replaced
     * @param artifact opens the artifact's bytes, once per transfer
     * @param confirmation checked after the health check passed; a problem rolls back too
     * @return {@link StepState#DONE}, {@link StepState#FAILED} or {@link StepState#ROLLED_BACK}, final event told
     * @throws FleetupException {@link FleetupException#SERVER_INVALID} for an empty root,
     *         {@link FleetupException#RELEASE_INVALID} for a product, version ({@link ReleaseNames}) or checksum that
     *         cannot be used; before anything is done on the server
     */
    public ServerOutcome install(Session session, Supplier<Session> reconnect, ProductProfile profile, Release release,
                                 Supplier<InputStream> artifact, StepReporter steps, Confirmation confirmation) {
        refuseUnsafe(profile, release, steps.server());
        return new Installation(session, reconnect, profile, release, artifact, steps, confirmation).run();
    }

    private static void refuseUnsafe(ProductProfile profile, Release release, String server) {
        if (profile.root().isBlank()) {
            throw new FleetupException(FleetupException.SERVER_INVALID, "The application root of "
                    + profile.product() + " on " + server + " is empty. Fix the product profile's root, or the "
                    + "server attribute it names.");
        }
        ReleaseNames.requireProduct(release.product());
        ReleaseNames.requireVersion(release.version());
        if (!SHA256.matcher(release.sha256()).matches()) {
            throw new FleetupException(FleetupException.RELEASE_INVALID, "Release " + release.coordinates()
                    + " has no valid SHA-256 ('" + release.sha256() + "'): add it to the store again.");
        }
    }

    /** Heavy commands (checksums, unpacking) get more time for large artifacts. */
    private Duration heavyTimeout(long size) {
        return commandTimeout.plusSeconds(Math.max(0, size) / HEAVY_BYTES_PER_SECOND);
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A step that failed, with the words an operator reads. */
    private static final class StepFailure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        StepFailure(String detail) {
            super(detail);
        }

        StepFailure(String detail, Throwable cause) {
            super(detail, cause);
        }
    }

    private record Ending(StepState state, String to, String detail) {
    }

    /** One install on one server: the state of the work, from the first command to the cleanup. */
    private final class Installation {

        private final Supplier<Session> reconnect;
        private final ProductProfile profile;
        private final Release release;
        private final Supplier<InputStream> artifact;
        private final StepReporter steps;
        private final Confirmation confirmation;
        private final String version;
        private final Duration heavyTimeout;
        private final List<Session> reconnected = new ArrayList<>();
        private final Set<String> temporaries = new LinkedHashSet<>();
        // In the order they were made, parents first.
        private final List<String> createdDirectories = new ArrayList<>();

        private Session session;
        private String doing = "starting";
        private String root;
        private String staging;
        private String previousTarget;
        private boolean runningAlready;
        private String previousVersion;
        private boolean switched;
        private long sent;

        Installation(Session session, Supplier<Session> reconnect, ProductProfile profile, Release release,
                     Supplier<InputStream> artifact, StepReporter steps, Confirmation confirmation) {
            this.session = session;
            this.reconnect = reconnect;
            this.profile = profile;
            this.release = release;
            this.artifact = artifact;
            this.steps = steps;
            this.confirmation = confirmation;
            this.version = release.version();
            this.heavyTimeout = heavyTimeout(release.size());
        }

        ServerOutcome run() {
            Ending ending = null;
            String cleanupNote;
            try {
                ending = proceed();
            } catch (StepFailure failure) {
                ending = afterFailure(failure.getMessage());
            } catch (RuntimeException e) {
                LOGGER.warn("Unexpected failure while {}", doing, e);
                ending = afterFailure(doing + " failed: " + describe(e));
            } finally {
                cleanupNote = cleanUp();
                if (ending == null || ending.state() != StepState.DONE) {
                    removeCreatedDirectories();
                }
                closeReconnected();
            }
            return steps.finish(ending.state(), previousVersion, ending.to(), ending.detail() + cleanupNote);
        }

        private Ending proceed() {
            resolveRoot();
            readCurrent();
            transferAndVerify();
            installAndSwitch();
            steps.step(StepState.RESTARTING, "no restart command configured for " + profile.product()
                    + ": the health check runs against " + version + " as it is");
            return check();
        }

        // Before the switch, the previous release still runs untouched: a failure is just a failure.
        private Ending afterFailure(String reason) {
            return switched ? rollBack(reason) : new Ending(StepState.FAILED, previousVersion, reason);
        }

        private void resolveRoot() {
            doing = "resolving the application root " + profile.root();
            String rootWord = profile.shellRoot();
            // A first install may find no root: it is made here, and what was made is remembered.
            List<String> lines = run(doing, createMissing(rootWord) + " && cd " + rootWord + " && pwd -P",
                    commandTimeout).stdout().lines().toList();
            remember(lines.subList(0, Math.max(0, lines.size() - 1)));
            String absolute = lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
            if (!absolute.startsWith("/")) {
                throw new StepFailure(doing + " printed '" + absolute + "', not an absolute path");
            }
            root = absolute;
        }

        // The new release's directory is resolved too, so that "is it the running one?" survives symlinked paths.
        // POSIX only, as BusyBox has no readlink -m: a directory's physical path is what "cd DIR && pwd -P" prints,
        // and one that is not there (yet) prints an empty line.
        private void readCurrent() {
            String link = quote(root + "/current");
            doing = "reading where " + root + "/current points";
            CommandResult result = run(doing, physicalPath(root + "/releases/" + version) + " && "
                    + "if [ -L " + link + " ]; then readlink " + link + " && " + physicalPath(root + "/current") + "; "
                    + "elif [ -e " + link + " ]; then echo " + quote(root + "/current is not a symbolic link: move "
                    + "it away, then upgrade again") + " >&2; exit 2; fi", commandTimeout);
            List<String> lines = result.stdout().lines().toList();
            if (lines.size() >= 3) {
                previousTarget = lines.get(1);
                String target = previousTarget.replaceAll("/+$", "");
                previousVersion = target.substring(target.lastIndexOf('/') + 1);
                runningAlready = !lines.get(0).isEmpty() && lines.get(0).equals(lines.get(2));
            }
        }

        private static String physicalPath(String directory) {
            return "echo \"$(cd " + quote(directory) + " 2>/dev/null && pwd -P)\"";
        }

        private void transferAndVerify() {
            String stagingDir = root + "/staging";
            staging = stagingDir + "/" + release.product() + "-" + version + "."
                    + release.sha256().substring(0, 12) + ".tar.gz";
            doing = "creating " + stagingDir;
            remember(run(doing, createMissing(quote(stagingDir)), commandTimeout).stdout().lines().toList());
            temporaries.add(staging);
            String lastSeen = null;
            for (int attempt = 1; attempt <= verifyAttempts; attempt++) {
                upload(attempt);
                doing = "computing the SHA-256 of " + staging + " on the server";
                steps.step(StepState.VERIFYING, doing);
                String actual = firstLine(run(doing, "sha256sum " + quote(staging), heavyTimeout)).split("\\s+")[0];
                actual = actual.startsWith("\\") ? actual.substring(1) : actual;
                if (actual.equalsIgnoreCase(release.sha256())) {
                    return;
                }
                lastSeen = actual;
                LOGGER.warn("Checksum mismatch on the server for {} (attempt {} of {}): expected {}, got {}",
                        staging, attempt, verifyAttempts, release.sha256(), actual);
                run("removing the corrupt " + staging, "rm -f " + quote(staging), commandTimeout);
            }
            throw new StepFailure("checksum mismatch on the server after " + verifyAttempts
                    + (verifyAttempts == 1 ? " attempt" : " attempts") + ": expected " + release.sha256()
                    + ", got " + lastSeen);
        }

        private void upload(int attempt) {
            long total = release.size();
            doing = "transferring";
            String detail = "sending " + release.coordinates() + " (" + total + " bytes) to " + staging
                    + (attempt > 1 ? " again, attempt " + attempt + " of " + verifyAttempts : "");
            steps.step(StepState.TRANSFERRING, detail);
            LongConsumer progress = steps.transferProgress(detail, total);
            sent = 0;
            progress.accept(0);
            try (InputStream content = artifact.get()) {
                session.upload(content, staging, 0, done -> {
                    sent = done;
                    progress.accept(done);
                });
            } catch (FleetupException e) {
                // The transport's words already name the server, the bytes sent and the reason.
                throw new StepFailure(describe(e), e);
            } catch (IOException | RuntimeException e) {
                throw new StepFailure("transfer failed after " + sent + " of " + total + " bytes: " + describe(e), e);
            }
        }

        private void installAndSwitch() {
            String scratch = root + "/.scratch-" + version + "-" + randomToken();
            String target = root + "/releases/" + version;
            doing = "unpacking " + release.fileName() + " into " + scratch;
            steps.step(StepState.INSTALLING, doing);
            temporaries.add(scratch);
            run("creating " + scratch, "mkdir " + quote(scratch), commandTimeout);
            // Not the archive's owners and modes: the server's user owns the files, its umask applies, and the
            // exec bits the archive carries stay (a umask only takes bits away). -o is --no-same-owner to GNU tar
            // and to BusyBox's, which has no such long option.
            run(doing, "tar -x -z -o -f " + quote(staging) + " -C " + quote(scratch) + " --no-same-permissions",
                    heavyTimeout);
            String manifest = scratch + "/" + MANIFEST;
            boolean hasManifest = succeeds("[ -f " + quote(manifest) + " ]");
            if (hasManifest) {
                doing = "checking every unpacked file against " + MANIFEST;
                steps.step(StepState.INSTALLING, doing);
                mismatch(scratch, manifest).ifPresent(problem -> {
                    throw new StepFailure(problem);
                });
            } else {
                LOGGER.info("{} holds no {}: its files are trusted through the artifact's SHA-256",
                        release.fileName(), MANIFEST);
            }
            remember(run("creating " + root + "/releases", createMissing(quote(root + "/releases")), commandTimeout)
                    .stdout().lines().toList());
            if (succeeds("[ -e " + quote(target) + " ] || [ -L " + quote(target) + " ]")) {
                if (hasManifest && mismatch(target, manifest).isEmpty()) {
                    steps.step(StepState.INSTALLING, target + " is installed already and matches the manifest: "
                            + "reusing it");
                } else {
                    replace(target, scratch, hasManifest);
                }
            } else {
                doing = "moving the release into " + target;
                run(doing, "mv -T " + quote(scratch) + " " + quote(target), commandTimeout);
            }
            doing = "switching " + root + "/current to releases/" + version;
            steps.step(StepState.INSTALLING, doing + (previousTarget == null ? "" : " (was " + previousTarget + ")"));
            temporaries.add(root + "/current.new");
            // From here the switch may have happened even if the command reports a failure: roll back to be sure.
            switched = true;
            switchCurrent("releases/" + version);
        }

        // The directory is moved aside rather than deleted in place: a rename is atomic, so releases/<version> is
        // never a half-deleted tree, and the slow removal happens in the cleanup.
        private void replace(String target, String scratch, boolean hasManifest) {
            if (runningAlready) {
                throw new StepFailure(target + " is the running release and "
                        + (hasManifest ? "does not match the archive's manifest" : "cannot be compared with the "
                        + "archive, which has no manifest") + "; it is not replaced under the running application");
            }
            String aside = root + "/.aside-" + version + "-" + randomToken();
            doing = "moving the existing " + target + " aside to " + aside;
            steps.step(StepState.INSTALLING, target + " exists but "
                    + (hasManifest ? "does not match the archive's manifest" : "cannot be verified") + ": " + doing);
            temporaries.add(aside);
            run(doing, "mv -T " + quote(target) + " " + quote(aside), commandTimeout);
            doing = "moving the release into " + target;
            run(doing, "mv -T " + quote(scratch) + " " + quote(target), commandTimeout);
        }

        private Ending check() {
            doing = "checking " + version;
            steps.step(StepState.CHECKING, "running '" + profile.healthCommand() + "' in " + root + ", expecting "
                    + version);
            Optional<String> problem = healthProblem(version);
            if (problem.isEmpty()) {
                try {
                    problem = confirmation.problem(session);
                } catch (RuntimeException e) {
                    LOGGER.warn("Confirming {} failed", version, e);
                    problem = Optional.of("confirming " + version + " failed: " + describe(e));
                }
            }
            if (problem.isPresent()) {
                return rollBack(problem.get());
            }
            String done;
            if (previousVersion == null) {
                done = "installed " + version + " (verified); no release ran before";
            } else if (previousVersion.equals(version)) {
                done = version + " was installed already; checked again (verified)";
            } else {
                done = "upgraded from " + previousVersion + " to " + version + " (verified)";
            }
            return new Ending(StepState.DONE, version, done);
        }

        private Optional<String> healthProblem(String expected) {
            CommandResult result;
            try {
                result = session.execute("cd " + quote(root) + " && " + profile.healthCommand(), commandTimeout);
            } catch (FleetupException e) {
                return Optional.of("health check failed: " + describe(e));
            }
            if (!result.succeeded()) {
                return Optional.of("health check failed with exit code " + result.exitCode() + ": "
                        + result.problem());
            }
            String printed = firstLine(result);
            return printed.equals(expected)
                    ? Optional.empty()
                    : Optional.of("health check printed '" + printed + "', expected " + expected);
        }

        private Ending rollBack(String reason) {
            String target = root + "/releases/" + version;
            if (runningAlready) {
                return new Ending(StepState.FAILED, null, reason + "; " + version
                        + " was already the running release, so there is nothing to roll back to");
            }
            doing = "rolling back";
            try {
                live("roll back");
            } catch (RuntimeException e) {
                return new Ending(StepState.FAILED, null, reason + "; could not reconnect to roll back ("
                        + describe(e) + "): current may point to the unverified release " + version);
            }
            if (previousTarget == null) {
                steps.step(StepState.INSTALLING, "rolling back: no release ran before " + version
                        + ", removing current");
                try {
                    run("removing " + root + "/current", "rm -f " + quote(root + "/current"), commandTimeout);
                } catch (RuntimeException e) {
                    return new Ending(StepState.FAILED, null, reason + "; " + describe(e)
                            + "; current may still point to " + version);
                }
                String removal = removeFailedRelease(target);
                return new Ending(StepState.ROLLED_BACK, null, reason + "; no release ran before " + version + ": "
                        + (removal.isEmpty() ? "removed it and current, nothing is installed, as before"
                        : "current removed" + removal));
            }
            steps.step(StepState.INSTALLING, "rolling back to " + previousVersion + " (" + previousTarget + ") "
                    + "because " + reason);
            try {
                switchCurrent(previousTarget);
            } catch (RuntimeException e) {
                return new Ending(StepState.FAILED, null, reason + "; rolling back to " + previousVersion
                        + " failed: " + describe(e) + "; current may still point to " + version);
            }
            steps.step(StepState.CHECKING, "checking " + previousVersion + " answers again after the rollback");
            Optional<String> oldProblem = healthProblem(previousVersion);
            String removal = removeFailedRelease(target);
            return oldProblem.isEmpty()
                    ? new Ending(StepState.ROLLED_BACK, previousVersion,
                            reason + "; rolled back to " + previousVersion + " (verified)" + removal)
                    : new Ending(StepState.FAILED, null, reason + "; rolled back to " + previousVersion
                            + ", but it does not answer either: " + oldProblem.get() + removal);
        }

        // A release that failed its checks is removed: it never ran healthy, so keeping it would only let a later
        // install reuse it unnoticed and let releases/ list a version that never served, and it takes disk space.
        private String removeFailedRelease(String target) {
            try {
                run("removing the failed " + target, "rm -rf -- " + quote(target), commandTimeout);
                return "";
            } catch (RuntimeException e) {
                LOGGER.warn("Could not remove the failed release {}: {}", target, describe(e));
                return "; " + describe(e);
            }
        }

        // The switch is one rename(2) of a new link over the old one. Plain mv would move the new link into the
        // directory current points to: -T (GNU, BusyBox, toybox; POSIX has no way) renames onto current itself.
        private void switchCurrent(String target) {
            String next = quote(root + "/current.new");
            run("switching " + root + "/current to " + target, "ln -sfn " + quote(target) + " " + next
                    + " && mv -T " + next + " " + quote(root + "/current"), commandTimeout);
        }

        /** Whatever happened, the staging file and the scratch directory go; reconnecting when the session died. */
        private String cleanUp() {
            if (temporaries.isEmpty()) {
                return "";
            }
            String names = String.join(", ", temporaries);
            try {
                live("clean up");
            } catch (RuntimeException e) {
                LOGGER.warn("Could not reconnect to remove {}: {}", names, describe(e));
                return "; could not reconnect to remove " + names + " (" + describe(e) + "): staging may hold a "
                        + "partial file, which is harmless: it is never used unverified";
            }
            try {
                run("removing " + names, "rm -rf -- " + temporaries.stream().map(ShellWords::quote)
                        .collect(Collectors.joining(" ")), commandTimeout);
                return "";
            } catch (RuntimeException e) {
                LOGGER.warn("Cleanup failed: {}", describe(e));
                return "; cleanup failed: " + describe(e);
            }
        }

        /** Lines of {@link #createMissing(String)}, deepest first. */
        private void remember(List<String> madeDeepestFirst) {
            for (int i = madeDeepestFirst.size() - 1; i >= 0; i--) {
                createdDirectories.add(madeDeepestFirst.get(i));
            }
        }

        // rmdir removes only empty directories: whatever someone else put there stays, with its parents.
        private void removeCreatedDirectories() {
            if (createdDirectories.isEmpty()) {
                return;
            }
            List<String> deepestFirst = new ArrayList<>(createdDirectories);
            Collections.reverse(deepestFirst);
            String names = String.join(", ", deepestFirst);
            try {
                live("remove the directories it created");
                CommandResult result = session.execute("rmdir " + deepestFirst.stream().map(ShellWords::quote)
                        .collect(Collectors.joining(" ")), commandTimeout);
                if (!result.succeeded()) {
                    LOGGER.info("Not every directory this install created could go ({}): {}", names,
                            result.problem());
                }
            } catch (RuntimeException e) {
                LOGGER.warn("Could not remove the empty directories this install created ({}): {}", names,
                        describe(e));
            }
        }

        private void live(String purpose) {
            if (session.isOpen()) {
                return;
            }
            if (reconnect == null) {
                throw new FleetupException(FleetupException.TRANSPORT_FAILED, "the connection was lost and no "
                        + "reconnection is possible");
            }
            steps.step(StepState.RECONNECTING, "the connection to " + steps.server() + " was lost; reconnecting to "
                    + purpose);
            Session fresh = reconnect.get();
            reconnected.add(fresh);
            session = fresh;
        }

        private void closeReconnected() {
            for (Session opened : reconnected) {
                try {
                    opened.close();
                } catch (RuntimeException e) {
                    LOGGER.debug("Closing a reconnected session failed", e);
                }
            }
        }

        // BusyBox's sha256sum has neither --quiet nor --strict: the lines of the files that match are left out here,
        // and a malformed manifest never gets this far (the store checks every line of it, and the server checks
        // the artifact's SHA-256 before unpacking it).
        private Optional<String> mismatch(String directory, String manifest) {
            CommandResult result = execute("checking " + directory + " against " + MANIFEST, "cd " + quote(directory)
                    + " || exit 2; sums=$(sha256sum -c " + quote(manifest) + " 2>&1); status=$?; "
                    + "printf '%s\\n' \"$sums\" | grep -v ': OK$'; exit $status", heavyTimeout);
            return result.succeeded() ? Optional.empty() : Optional.of(manifestProblem(directory, result));
        }

        private boolean succeeds(String test) {
            return execute(test, test, commandTimeout).succeeded();
        }

        private CommandResult run(String what, String command, Duration timeout) {
            CommandResult result = execute(what, command, timeout);
            if (!result.succeeded()) {
                throw new StepFailure(what + " failed: " + result.problem());
            }
            return result;
        }

        private CommandResult execute(String what, String command, Duration timeout) {
            LOGGER.debug("Running {}", command);
            try {
                return session.execute(command, timeout);
            } catch (FleetupException e) {
                throw new StepFailure(what + " failed: " + describe(e), e);
            }
        }
    }

    /**
     * "file lib/app.jar does not match the manifest", from what {@code sha256sum -c} printed. A missing file is GNU's
     * {@code x: FAILED open or read}, or BusyBox's {@code x: FAILED} beside {@code sha256sum: can't open 'x'}.
     */
    static String manifestProblem(String directory, CommandResult result) {
        for (String line : result.stdout().lines().toList()) {
            int at = line.lastIndexOf(": FAILED");
            if (at > 0) {
                String listed = line.substring(0, at);
                String file = listed.replaceFirst("^\\./", "");
                return line.endsWith("open or read") || result.stdout().contains("can't open '" + listed + "'")
                        ? "file " + file + " listed in the manifest is missing from " + directory
                        : "file " + file + " does not match the manifest";
            }
        }
        return "checking " + directory + " against " + MANIFEST + " failed: " + result.problem();
    }

    /**
     * {@code mkdir -p} that first prints, one a line and deepest first, the directories it is about to make: so that
     * a first install that fails can take away exactly what it made.
     */
    static String createMissing(String word) {
        return "fleetup_dir=" + word + "; while [ ! -e \"$fleetup_dir\" ] && [ ! -L \"$fleetup_dir\" ]; do "
                + "printf '%s\\n' \"$fleetup_dir\"; fleetup_dir=$(dirname \"$fleetup_dir\"); done; mkdir -p " + word;
    }

    private static String firstLine(CommandResult result) {
        return result.stdout().lines().findFirst().map(String::strip).orElse("");
    }

    private static String randomToken() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
