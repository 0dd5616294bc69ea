package org.fleetup.upgrade.internal;

import static org.fleetup.api.ShellWords.quote;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.upgrade.StepReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an artifact to its staging file and has the server verify its SHA-256, sending it again on a mismatch. What an
 * earlier, interrupted transfer left in the staging file is continued from its size on the server: the checksum
 * judges the whole file anyway, and a mismatch starts over from the first byte. The check may be the first part of a
 * command that goes on with the verified file ({@link #verify(String, Supplier)}): the sum costs no round trip then.
 */
final class StagedTransfer {

    private static final Logger LOGGER = LoggerFactory.getLogger(StagedTransfer.class);

    /** What {@link #sumCheck} prints, with the sum it found, when the file does not match. */
    private static final String MISMATCH = "::fleetup-sha256 ";
    /** What {@link #sendWith} prints when the staging file holds something already: it is continued instead. */
    private static final String STAGED_ALREADY = "::fleetup-staged-already";
    /** What {@link #sendWith} prints, with the status of {@code cat}, when writing the staging file failed. */
    private static final String WRITE_FAILED = "::fleetup-write-failed ";
    /** A shell's status for a command killed by SIGXFSZ (25): a file grew past the size limit. */
    private static final int FILE_SIZE_LIMIT_STATUS = 128 + 25;

    private final ServerCommands commands;
    private final StepReporter steps;
    private final Journal journal;
    private final Release release;
    private final Supplier<InputStream> artifact;
    private final int verifyAttempts;
    private final Duration commandTimeout;
    private final Duration heavyTimeout;
    private long sent;
    /** The attempt at a verified file under way: 0 before the first send. */
    private int attempt;

    StagedTransfer(ServerCommands commands, StepReporter steps, Journal journal, Release release,
                   Supplier<InputStream> artifact, int verifyAttempts, Duration commandTimeout,
                   Duration heavyTimeout) {
        this.commands = commands;
        this.steps = steps;
        this.journal = journal;
        this.release = release;
        this.artifact = artifact;
        this.verifyAttempts = verifyAttempts;
        this.commandTimeout = commandTimeout;
        this.heavyTimeout = heavyTimeout;
    }

    /** Sends the artifact to {@code staging}, going on from what an interrupted transfer left there; not verified. */
    void send(String staging) {
        send(staging, Map.of(), () -> { });
    }

    /**
     * As {@link #send(String)}, with {@code alsoRecorded} in the same journal entry as the staging file, and
     * {@code first} run once that entry is written, before the first byte: what it changes on the server is on record
     * by then, at the cost of no write of its own.
     */
    void send(String staging, Map<String, String> alsoRecorded, Runnable first) {
        record(staging, alsoRecorded);
        first.run();
        sendOn(staging);
    }

    private void record(String staging, Map<String, String> alsoRecorded) {
        Map<String, String> changes = new HashMap<>(alsoRecorded);
        changes.put(JournalKeys.STAGING, staging);
        journal.record(StepState.TRANSFERRING, "sending " + release.coordinates() + " to " + staging, changes);
    }

    /** Sends what {@code staging} does not hold yet of the artifact, in the attempt under way. */
    private void sendOn(String staging) {
        attempt = Math.max(attempt, 1);
        long offset = partialSize(staging);
        if (offset < release.size()) {
            upload(staging, attempt, offset);
        }
    }

    /**
     * Sends the artifact as the input of one command that writes it to {@code staging}, checks its sum and, when it
     * matches, goes on with {@code then}: the transfer, the check and what it guards in one round trip, with no
     * channel of the transfer's own. The staging file is on record, with {@code alsoRecorded}, before the command
     * runs; {@code before} runs first in it (it must end with {@code &&} or {@code ;}), before the staging file is
     * looked at.
     *
     * <p>When the staging file holds something already (an earlier, interrupted transfer's), the command leaves it
     * and the transfer goes on from its size; when the connection drops under the transfer, it goes on from what
     * landed over a new one, after {@code afterADrop} (which makes sure of what {@code before} may not have done);
     * when the sum does not match, the file is sent again: in each case as {@link #send} does, and
     * {@link #verify(String, Supplier)} checks the file then.
     *
     * @param printed told what the command printed, before anything else is made of it
     * @return what the command printed when it ran {@code then} on the verified file, or empty when the file was sent
     *         otherwise and is still to be verified
     */
    Optional<List<String>> sendWith(String staging, Map<String, String> alsoRecorded, String before, String then,
                                    Runnable afterADrop, Consumer<List<String>> printed) {
        record(staging, alsoRecorded);
        attempt = 1;
        String word = quote(staging);
        String command = before + " if [ -e " + word + " ] || [ -L " + word + " ]; then echo " + STAGED_ALREADY
                + "; exit 0; fi; { cat > " + word + " || { fleetup_status=$?; echo \"" + WRITE_FAILED
                + "$fleetup_status\"; exit 1; }; } && " + sumCheck(staging) + " && " + then;
        long total = release.size();
        String detail = "sending " + release.coordinates() + " (" + total + " bytes) to " + staging;
        steps.step(StepState.TRANSFERRING, detail);
        LongConsumer progress = steps.transferProgress(detail, total);
        sent = 0;
        progress.accept(0);
        CommandResult result;
        try (InputStream content = artifact.get()) {
            result = commands.session().execute(command, content, heavyTimeout, done -> {
                sent = done;
                progress.accept(done);
                if (done == total) {
                    steps.step(StepState.VERIFYING, "checking the SHA-256 of " + staging + " on the server");
                }
            });
        } catch (FleetupException e) {
            if (FleetupException.hasCode(e, FleetupException.LEASE_LOST)) {
                // The controller stops or lost the server: not the transfer's failure, and nothing more is sent.
                throw e;
            }
            if (commands.session().isOpen()) {
                // A refusal or a timeout on a live connection: the transport's words name the server and the reason.
                throw new StepFailure(StepFailure.describe(e), e);
            }
            LOGGER.info("The transfer to {} broke after {} bytes: {}; going on from what landed", staging, sent,
                    e.getMessage());
            continueAfterADrop(staging, afterADrop, StepFailure.describe(e));
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new StepFailure("transfer failed after " + sent + " of " + total + " bytes: "
                    + StepFailure.describe(e), e);
        }
        List<String> lines = result.stdout().lines().toList();
        printed.accept(lines);
        if (lines.contains(STAGED_ALREADY)) {
            sendOn(staging);
            return Optional.empty();
        }
        Optional<String> writeFailed = lines.stream().filter(line -> line.startsWith(WRITE_FAILED)).findFirst();
        if (writeFailed.isPresent()) {
            throw new StepFailure("Transfer to " + commands.session().server() + " failed after " + sent
                    + " bytes sent: writing " + staging + " on the server failed (" + writeFailure(writeFailed.get(), result)
                    + "): a full disk is the usual cause, check the free space on the server");
        }
        Optional<String> mismatch = mismatch(lines);
        if (mismatch.isPresent()) {
            mismatched(staging, mismatch.get());
            attempt = 2;
            if (attempt > verifyAttempts) {
                throw exhausted(mismatch.get());
            }
            upload(staging, attempt, 0);
            return Optional.empty();
        }
        if (!result.succeeded()) {
            throw new StepFailure("sending " + staging + " and going on with it failed: " + result.problem());
        }
        return Optional.of(lines);
    }

    private void continueAfterADrop(String staging, Runnable afterADrop, String why) {
        try {
            commands.live("continue the transfer to " + staging + " (" + why + ")");
        } catch (FleetupException e) {
            throw new StepFailure(why + "; reconnecting to continue it failed: " + StepFailure.describe(e), e);
        }
        afterADrop.run();
        sendOn(staging);
    }

    private static String writeFailure(String marker, CommandResult result) {
        String status = marker.substring(WRITE_FAILED.length()).strip();
        if (status.equals(Integer.toString(FILE_SIZE_LIMIT_STATUS))) {
            return "cat was killed by SIGXFSZ, past a file size limit";
        }
        String problem = result.stderr().strip();
        return "cat ended with status " + status + (problem.isEmpty() ? "" : ": " + problem);
    }

    /** Has the server verify what {@link #send} left in {@code staging} by its SHA-256 alone, or fails the step. */
    void verify(String staging) {
        verify(staging, () -> {
            String doing = "computing the SHA-256 of " + staging + " on the server";
            return mismatch(commands.run(doing, sumCheck(staging), heavyTimeout).stdout().lines().toList());
        });
    }

    /**
     * Verifies what {@link #send} left in {@code staging} by {@code check}, which runs {@link #sumCheck} on the server
     * (and what it guards) and answers {@link #mismatch} of what that printed; on a mismatch the file is sent again
     * from its first byte, up to the attempts; fails the step when they are spent.
     */
    void verify(String staging, Supplier<Optional<String>> check) {
        String lastSeen = null;
        int first = Math.max(attempt, 1);
        for (attempt = first; attempt <= verifyAttempts; attempt++) {
            if (attempt > first) {
                upload(staging, attempt, 0);
            }
            steps.step(StepState.VERIFYING, "checking the SHA-256 of " + staging + " on the server");
            Optional<String> actual = check.get();
            if (actual.isEmpty()) {
                // Nothing to journal: a resumed install checks the sum again, as the unpacking does anyway.
                return;
            }
            lastSeen = actual.get();
            mismatched(staging, lastSeen);
        }
        throw exhausted(lastSeen);
    }

    private void mismatched(String staging, String found) {
        LOGGER.warn("Checksum mismatch on the server for {} (attempt {} of {}): expected {}, got {}",
                staging, attempt, verifyAttempts, release.sha256(), found);
        commands.run("removing the corrupt " + staging, "rm -f " + quote(staging), commandTimeout);
    }

    private StepFailure exhausted(String lastSeen) {
        return new StepFailure("checksum mismatch on the server after " + verifyAttempts
                + (verifyAttempts == 1 ? " attempt" : " attempts") + ": expected " + release.sha256()
                + ", got " + lastSeen);
    }

    /**
     * A command for the server that computes the SHA-256 of {@code staging} and, when it is not the artifact's, prints
     * {@link #MISMATCH} with it and ends with success: what follows it runs only on the verified file. It fails when
     * the file cannot be read.
     */
    String sumCheck(String staging) {
        return "fleetup_sum=$(sha256sum " + quote(staging) + ") && fleetup_sum=${fleetup_sum%% *} && fleetup_sum=${"
                + "fleetup_sum#\\\\} && if [ \"$fleetup_sum\" != " + release.sha256() + " ]; then echo \"" + MISMATCH
                + "$fleetup_sum\"; exit 0; fi";
    }

    /** The sum {@link #sumCheck} found when it printed a mismatch in {@code lines}. */
    static Optional<String> mismatch(List<String> lines) {
        return lines.stream().filter(line -> line.startsWith(MISMATCH)).findFirst()
                .map(line -> line.substring(MISMATCH.length()).strip());
    }

    private long partialSize(String staging) {
        long size;
        try {
            size = commands.session().remoteSize(staging);
        } catch (FleetupException e) {
            throw new StepFailure("reading the size of " + staging + " failed: " + StepFailure.describe(e), e);
        }
        if (size > release.size()) {
            commands.run("removing the oversized " + staging, "rm -f " + quote(staging), commandTimeout);
            return 0;
        }
        if (size > 0) {
            steps.step(StepState.TRANSFERRING, staging + " holds " + size + " of " + release.size()
                    + " bytes from an earlier transfer: continuing from there");
        }
        return Math.max(0, size);
    }

    /**
     * Sends from {@code offset}; when the connection drops on the way, reconnects and goes on from what the staging
     * file holds then, as long as each send moved it forward: a link that drops now and then costs the bytes lost in
     * flight, not the whole artifact again. A refusal on a live connection (a full disk) is final.
     */
    private void upload(String staging, int attempt, long offset) {
        long from = offset;
        while (true) {
            try {
                uploadFrom(staging, attempt, from);
                return;
            } catch (StepFailure failure) {
                if (commands.session().isOpen()) {
                    throw failure;
                }
                try {
                    commands.live("resume the transfer to " + staging);
                } catch (FleetupException e) {
                    throw new StepFailure(failure.getMessage() + "; reconnecting to resume it failed: "
                            + StepFailure.describe(e), e);
                }
                long reached = partialSize(staging);
                if (reached <= from) {
                    throw new StepFailure(failure.getMessage() + "; " + staging + " did not grow (" + reached
                            + " bytes), so the transfer is not resumed again", failure);
                }
                from = reached;
            }
        }
    }

    private void uploadFrom(String staging, int attempt, long offset) {
        long total = release.size();
        String detail = "sending " + release.coordinates() + " (" + total + " bytes) to " + staging
                + (attempt > 1 ? " again, attempt " + attempt + " of " + verifyAttempts : "")
                + (offset > 0 ? " from byte " + offset : "");
        steps.step(StepState.TRANSFERRING, detail);
        LongConsumer progress = steps.transferProgress(detail, total);
        sent = offset;
        progress.accept(offset);
        try (InputStream content = artifact.get()) {
            content.skipNBytes(offset);
            commands.session().upload(content, staging, offset, done -> {
                sent = done;
                progress.accept(done);
            });
        } catch (FleetupException e) {
            if (FleetupException.hasCode(e, FleetupException.LEASE_LOST)) {
                // The controller stops or lost the server: not the transfer's failure, and nothing more is sent.
                throw e;
            }
            // The transport's words already name the server, the bytes sent and the reason.
            throw new StepFailure(StepFailure.describe(e), e);
        } catch (IOException | RuntimeException e) {
            throw new StepFailure("transfer failed after " + sent + " of " + total + " bytes: "
                    + StepFailure.describe(e), e);
        }
    }
}
