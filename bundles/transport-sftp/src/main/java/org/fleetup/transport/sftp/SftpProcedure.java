package org.fleetup.transport.sftp;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.ssh.SftpConnection;
import org.fleetup.upgrade.StepReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SFTP-only server's upgrade by release directories, with file operations alone: the controller reads the
 * release from the store (its SHA-256 checked), writes its tree into a scratch directory beside the releases, reads
 * every file back and compares its size and SHA-256 with what it wrote (and with the archive's manifest), renames
 * the scratch into {@code releases/<version>}, and switches {@code current} by writing a new link beside it and
 * renaming it over {@code current} ({@code posix-rename@openssh.com}, atomic). The health check is the version file
 * read back through the new {@code current}; when it does not name the release, {@code current} is switched back the
 * same way. The layout is the SSH path's: {@code releases/<version>}, {@code current -> releases/<version>},
 * {@code staging/}.
 *
 * <p>Crash safety: what a restarted controller needs (the version and link before, the scratch's name, that the
 * release was placed, that the switch was ordered) is journaled before the step that changes the server, and every
 * step can run twice: a scratch left over is verified and kept, or removed and written again; a
 * {@code releases/<version>} already there that matches the archive is kept; a {@code current} that points to the
 * release already is switched.
 */
final class SftpProcedure implements Procedure {

    static final String FROM = "sftp.from";
    static final String PREVIOUS = "sftp.previous";
    static final String SCRATCH = "sftp.scratch";
    static final String PLACED = "sftp.placed";
    static final String SWITCHING = "sftp.switching";
    static final String SWITCHED = "sftp.switched";
    static final String WAIT_UNTIL = "sftp.waitUntil";

    private static final Logger LOGGER = LoggerFactory.getLogger(SftpProcedure.class);

    private final SftpTransport.Parts parts;
    private final String rollout;
    private final Server server;
    private final Release release;
    private final boolean force;
    private final StepReporter steps;
    private final Journal journal;

    private SftpConnection connection;
    private RemoteFiles files;
    private ProductProfile profile;
    private String root;
    private Inspection inspection;
    private String runningTarget;
    /** The scratch this run wrote, and the sums of the release it wrote there; null when it wrote none. */
    private String written;
    private ReleaseTree.Sums writtenSums;
    private final List<String> leftovers = new ArrayList<>();
    private ServerOutcome outcome;
    private Instant resumeAt;

    SftpProcedure(SftpTransport.Parts parts, String rollout, Server server, Release release, boolean force,
                  StepListener listener, Journal journal) {
        this.parts = parts;
        this.rollout = rollout;
        this.server = server;
        this.release = release;
        this.force = force;
        this.steps = new StepReporter(rollout, server.name(), listener);
        this.journal = journal;
    }

    @Override
    public void run(Step step) {
        if (outcome != null || resumeAt != null) {
            return;
        }
        steps.logged(() -> {
            switch (step) {
                case CONNECT -> connect();
                case INSPECT -> inspect();
                case COMPARE -> compare();
                case WAIT_INSTALLABLE -> waitInstallable();
                case STAGE -> stage();
                case VERIFY -> verifyAndPlace();
                case INSTALL -> switchCurrent();
                case HEALTH -> check();
                case CONFIRM -> confirm();
                default -> {
                    // No restart and no reboot without commands: the plan refuses a profile that wants them.
                }
            }
        });
    }

    @Override
    public void fail(Step step, RuntimeException cause) {
        if (outcome != null) {
            return;
        }
        if (FleetupException.hasCode(cause, FleetupException.LEASE_LOST)) {
            throw cause;
        }
        steps.logged(() -> {
            if (!(cause instanceof FleetupException)) {
                LOGGER.error("Upgrading {} to {} over SFTP failed unexpectedly in {}", server.name(),
                        release.coordinates(), step.id(), cause);
            }
            String reason = cause instanceof FleetupException ? cause.getMessage() : "unexpected error: " + cause;
            String from = from();
            String unchanged = from == null ? "; nothing was installed" : "; " + from + " still runs, unchanged";
            if (entry(SWITCHING) == null && entry(SCRATCH) == null && leftovers.isEmpty()) {
                // Nothing was written: nothing to undo, and no connection to open for it.
                finish(StepState.FAILED, from, from, reason + unchanged);
                return;
            }
            try {
                ensureConnected();
                if (entry(SWITCHING) != null) {
                    rollBack(reason);
                    return;
                }
                String scratch = entry(SCRATCH);
                if (scratch != null) {
                    files.removeTree(scratch);
                    journal.record(StepState.FAILED, "removed " + scratch, mapOf(SCRATCH, null));
                }
                leftovers.forEach(files::removeTree);
                finish(StepState.FAILED, from, from, reason + unchanged);
            } catch (FleetupException e) {
                if (FleetupException.hasCode(e, FleetupException.LEASE_LOST)) {
                    throw e;
                }
                finish(StepState.FAILED, from, null, reason + "; then cleaning up failed too (" + e.getMessage()
                        + "): retry the server, which finds where it stopped");
            }
        });
    }

    @Override
    public Optional<ServerOutcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    @Override
    public Optional<Instant> resumeAt() {
        return outcome == null ? Optional.ofNullable(resumeAt) : Optional.empty();
    }

    @Override
    public void beforeNextPass() {
        resumeAt = null;
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    private void connect() {
        steps.step(StepState.CONNECTING, "connecting to " + server.address() + " (SFTP only)");
        profile = parts.profiles().profile(release.product(), server);
        root = RemotePaths.root(profile.root(), server);
        ensureConnected();
    }

    private void ensureConnected() {
        if (connection != null && connection.isOpen()) {
            return;
        }
        if (connection != null) {
            connection.close();
        }
        if (profile == null) {
            profile = parts.profiles().profile(release.product(), server);
            root = RemotePaths.root(profile.root(), server);
        }
        connection = parts.ssh().openSftp(server);
        files = new RemoteFiles(server.name(), connection.sftp());
    }

    private void inspect() {
        runningTarget = files.readLink(current()).orElse(null);
        inspection = SftpTransport.inspection(files, server, release.product(), profile, root, Instant.now());
    }

    private void compare() {
        if (started()) {
            steps.step(StepState.CONNECTING, "going on with the upgrade to " + release.version() + " begun before");
            return;
        }
        Optional<String> refusal = Capability.refusal(server.name(), server.address(),
                EnumSet.of(Capability.FILES), profile.needs(release));
        if (refusal.isPresent()) {
            throw new FleetupException(FleetupException.TRANSPORT_INCAPABLE, refusal.get() + " (reach it over "
                    + "ssh://, or install " + release.product() + " there by release directories alone)");
        }
        PlanEntry entry = parts.planner().decide(release, inspection, force);
        if (entry.decision() == Decision.UPGRADE || entry.decision() == Decision.INSTALL) {
            return;
        }
        finish(entry.decision() == Decision.CURRENT || entry.decision() == Decision.NEWER
                ? StepState.SKIPPED : StepState.FAILED, inspection.version(), inspection.version(), entry.reason());
    }

    private void waitInstallable() {
        if (started()) {
            return;
        }
        String marker = RemotePaths.under(root, profile.busyMarker());
        String until = entry(WAIT_UNTIL);
        if (!files.exists(marker)) {
            if (until != null) {
                journal.record(StepState.WAITING, marker + " is gone: installing", mapOf(WAIT_UNTIL, null));
            }
            return;
        }
        Instant deadline = until == null ? Instant.now().plus(parts.installableWait()) : Instant.parse(until);
        if (until == null) {
            journal.record(StepState.WAITING, marker + " exists: waiting", mapOf(WAIT_UNTIL, deadline.toString()));
        }
        if (Instant.now().isAfter(deadline)) {
            finish(StepState.FAILED, inspection.version(), inspection.version(), "not installable: " + marker
                    + " still exists (the server is busy) after " + parts.installableWait().toSeconds()
                    + " s; nothing was changed");
            return;
        }
        steps.step(StepState.WAITING, marker + " exists: the server is busy, checking again");
        resumeAt = Instant.now().plus(parts.pollInterval());
    }

    /** Writes the release into a scratch directory, unless what an earlier run left can be verified instead. */
    private void stage() {
        if (entry(PLACED) != null) {
            return;
        }
        String earlier = entry(SCRATCH);
        if (earlier != null && files.exists(earlier)) {
            steps.step(StepState.VERIFYING, "found " + earlier + " from an interrupted run: verifying it rather than "
                    + "sending the release again");
            return;
        }
        if (files.exists(releaseDir())) {
            steps.step(StepState.VERIFYING, releaseDir() + " exists already: verifying it against the release");
            return;
        }
        send();
    }

    private void send() {
        String earlier = entry(SCRATCH);
        if (earlier != null) {
            // What an interrupted run left and could not be kept: gone before the journal names another.
            files.removeTree(earlier);
        }
        String scratch = root + "/.scratch-" + release.version() + "-" + token();
        Map<String, String> changes = new HashMap<>();
        changes.put(SCRATCH, scratch);
        if (entry(FROM) == null) {
            // Before the first change: a restarted controller knows what ran and where current pointed.
            changes.put(FROM, inspection == null || inspection.version() == null ? "" : inspection.version());
            changes.put(PREVIOUS, runningTarget == null ? "" : runningTarget);
        }
        journal.record(StepState.TRANSFERRING, "writing " + release.fileName() + " unpacked into " + scratch,
                changes);
        steps.step(StepState.TRANSFERRING, "writing " + release.fileName() + " unpacked into " + scratch);
        files.mkdirs(root + "/releases");
        files.mkdirs(root + "/staging");
        files.removeTree(scratch);
        files.mkdir(scratch, -1);
        written = scratch;
        writtenSums = null;
        try (InputStream artifact = parts.store().open(release)) {
            writtenSums = ReleaseTree.read(release, artifact, new ReleaseTree.Visitor() {
                @Override
                public void directory(ReleaseTree.Directory directory) {
                    files.mkdirs(scratch + "/" + directory.path());
                }

                @Override
                public void file(ReleaseTree.File file, InputStream content) {
                    files.write(scratch + "/" + file.path(), content, file.mode());
                }

                @Override
                public void link(ReleaseTree.Link link) {
                    files.symlink(scratch + "/" + link.path(), link.target());
                }
            });
        } catch (IOException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Reading " + release.coordinates()
                    + " from the store failed: " + e.getMessage(), e);
        }
    }

    /** Checks the written tree file by file, then renames it into releases/<version>. */
    private void verifyAndPlace() {
        if (entry(PLACED) != null) {
            return;
        }
        ReleaseTree.Sums sums = expected();
        sums.manifestProblem().ifPresent(problem -> {
            throw new FleetupException(FleetupException.RELEASE_INVALID, problem);
        });
        String scratch = entry(SCRATCH);
        boolean scratchThere = scratch != null && files.exists(scratch);
        if (!scratchThere && files.exists(releaseDir())) {
            Optional<String> problem = mismatch(releaseDir(), sums);
            if (problem.isEmpty()) {
                steps.step(StepState.VERIFYING, releaseDir() + " matches the release, every file read back: keeping it");
                journal.record(StepState.VERIFYING, releaseDir() + " verified", mapOf(PLACED, "true", SCRATCH,
                        null));
                return;
            }
            if (releaseDir().equals(root + "/" + runningTarget)) {
                throw new FleetupException(FleetupException.RELEASE_CONFLICT, releaseDir() + " is the running "
                        + "release and " + problem.get() + "; it is not replaced under the running application");
            }
            String aside = root + "/.aside-" + release.version() + "-" + token();
            steps.step(StepState.VERIFYING, releaseDir() + " exists but " + problem.get() + ": moving it aside to "
                    + aside);
            files.rename(releaseDir(), aside);
            leftovers.add(aside);
            send();
            scratch = written;
        } else if (scratchThere && !scratch.equals(written)) {
            Optional<String> problem = mismatch(scratch, sums);
            if (problem.isPresent()) {
                steps.step(StepState.TRANSFERRING, scratch + " left by an interrupted run " + problem.get()
                        + ": writing the release again");
                send();
                scratch = written;
            }
        } else if (!scratchThere) {
            send();
            scratch = written;
        }
        if (scratch.equals(written)) {
            Optional<String> problem = mismatch(scratch, sums);
            if (problem.isPresent()) {
                throw new FleetupException(FleetupException.TRANSPORT_FAILED, "verifying what was written to "
                        + server.name() + " failed: " + problem.get());
            }
        }
        steps.step(StepState.VERIFYING, "every file of " + scratch + " read back matches the release ("
                + sums.files().size() + " files" + (sums.manifest().isPresent() ? ", and its " + ReleaseTree.MANIFEST
                : "") + "): renaming it to " + releaseDir());
        files.rename(scratch, releaseDir());
        journal.record(StepState.INSTALLING, releaseDir() + " verified and in place", mapOf(PLACED, "true",
                SCRATCH, null));
    }

    /** The sums of the release's files, from what this run wrote or from the archive read again. */
    private ReleaseTree.Sums expected() {
        if (writtenSums != null) {
            return writtenSums;
        }
        try (InputStream artifact = parts.store().open(release)) {
            return ReleaseTree.read(release, artifact, new ReleaseTree.Visitor() {
                @Override
                public void directory(ReleaseTree.Directory directory) {
                }

                @Override
                public void file(ReleaseTree.File file, InputStream content) {
                }

                @Override
                public void link(ReleaseTree.Link link) {
                }
            });
        } catch (IOException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Reading " + release.coordinates()
                    + " from the store failed: " + e.getMessage(), e);
        }
    }

    /** The first file of {@code directory} whose size or read-back SHA-256 is not the release's. */
    private Optional<String> mismatch(String directory, ReleaseTree.Sums sums) {
        for (Map.Entry<String, ReleaseTree.Sum> file : sums.files().entrySet()) {
            ReleaseTree.Sum read = files.readBack(directory + "/" + file.getKey());
            if (read.size() < 0) {
                return Optional.of("file " + file.getKey() + " is missing");
            }
            if (read.size() != file.getValue().size()) {
                return Optional.of("file " + file.getKey() + " has " + read.size() + " bytes, the release's has "
                        + file.getValue().size());
            }
            if (!read.sha256().equals(file.getValue().sha256())) {
                return Optional.of("file " + file.getKey() + " read back does not match what was written (SHA-256 "
                        + read.sha256() + ", expected " + file.getValue().sha256() + ")");
            }
        }
        return Optional.empty();
    }

    private void switchCurrent() {
        if (entry(PLACED) == null) {
            return;
        }
        String target = "releases/" + release.version();
        if (target.equals(files.readLink(current()).orElse(null))) {
            if (entry(SWITCHED) == null) {
                journal.record(StepState.INSTALLING, "current points to " + target + " already",
                        mapOf(SWITCHING, "true", SWITCHED, "true"));
            }
            return;
        }
        journal.record(StepState.INSTALLING, "switching current to " + target, mapOf(SWITCHING, "true"));
        point(target);
        journal.record(StepState.INSTALLING, "current points to " + target, mapOf(SWITCHED, "true"));
        steps.step(StepState.INSTALLING, "switched " + current() + " to " + target + (previous() == null ? ""
                : " (was " + previous() + ")"));
    }

    /** A new link beside current, renamed over it: whoever reads current sees the old or the new, never none. */
    private void point(String target) {
        String fresh = root + "/current.new";
        files.removeTree(fresh);
        files.symlink(fresh, target);
        files.replace(fresh, current());
    }

    /** The health check without commands: the version file, read through the new current, names the release. */
    private void check() {
        if (entry(SWITCHING) == null) {
            return;
        }
        steps.step(StepState.CHECKING, "reading the version file through " + current());
        String file = RemotePaths.under(root, profile.versionFile().orElseThrow());
        String read = files.firstLine(file).orElse(null);
        if (!release.version().equals(read)) {
            rollBack(file + (read == null ? " cannot be read" : " reads '" + read + "'") + ", expected "
                    + release.version());
        }
    }

    private void confirm() {
        if (entry(SWITCHING) == null) {
            return;
        }
        leftovers.forEach(files::removeTree);
        String from = from();
        finish(StepState.DONE, from, release.version(), from == null
                ? "installed " + release.version() + " over SFTP, no release ran before"
                : "upgraded from " + from + " over SFTP, " + releaseDir() + " verified, current switched");
    }

    /** Switches current back to what it was (or removes it after a first install), and removes the new release. */
    private void rollBack(String reason) {
        String previous = previous();
        String from = from();
        steps.step(StepState.INSTALLING, "rolling back because " + reason);
        if (previous == null) {
            files.removeTree(current());
        } else {
            point(previous);
        }
        files.removeTree(releaseDir());
        leftovers.forEach(files::removeTree);
        String back = previous == null ? null
                : files.firstLine(RemotePaths.under(root, profile.versionFile().orElseThrow())).orElse(null);
        journal.record(StepState.ROLLED_BACK, "switched back", mapOf(SWITCHING, null, SWITCHED, null, PLACED,
                null));
        finish(StepState.ROLLED_BACK, from, back, reason + "; " + (previous == null
                ? "removed it and current, nothing is installed, as before"
                : "rolled back to " + from + " (" + previous + ", its version file reads " + back + ")"));
    }

    private boolean started() {
        Map<String, String> entries = journal.entries();
        return entries.containsKey(SCRATCH) || entries.containsKey(PLACED) || entries.containsKey(SWITCHING);
    }

    private String from() {
        String from = entry(FROM);
        if (from != null) {
            return from.isEmpty() ? null : from;
        }
        return inspection == null ? null : inspection.version();
    }

    private String previous() {
        String previous = entry(PREVIOUS);
        if (previous != null) {
            return previous.isEmpty() ? null : previous;
        }
        return runningTarget;
    }

    private String entry(String key) {
        return journal.entries().get(key);
    }

    private String current() {
        return root + "/current";
    }

    private String releaseDir() {
        return root + "/releases/" + release.version();
    }

    private static String token() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** A map that takes null values: a journal change that removes an entry. */
    private static Map<String, String> mapOf(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private void finish(StepState state, String from, String to, String detail) {
        outcome = steps.finish(state, from, to, detail);
    }

}
