package org.fleetup.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * What a server process of a test's own prints, copied line by line to its log for as long as it runs, and the
 * moment a line says it is ready: the server is used then, not after a guessed delay.
 */
final class ReadyLine {

    private ReadyLine() {
    }

    /**
     * Starts copying and returns once a line is {@code ready}, the copying thread going on (join it once the process
     * ended).
     *
     * @param name the server, as the messages and the thread name it ({@code sshd of srv-1}, {@code postgres})
     * @param readiness what it does once ready, for the message ({@code listen on 127.0.0.1:2222})
     * @throws IOException when it ended or stayed silent past {@code timeout}, with what it printed
     */
    static Thread follow(Process process, Path log, Predicate<String> ready, String name, String readiness,
                         Duration timeout) throws IOException {
        CompletableFuture<Void> seen = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    if (ready.test(line)) {
                        seen.complete(null);
                    }
                }
            } catch (IOException e) {
                seen.completeExceptionally(e);
            }
            seen.completeExceptionally(new IOException(name + " ended before it was ready"));
        }, "log-of-" + name.replace(' ', '-'));
        pump.setDaemon(true);
        pump.start();
        try {
            seen.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + name + " started", e);
        } catch (ExecutionException | TimeoutException e) {
            String printed = Files.exists(log) ? Files.readString(log) : "";
            throw new IOException(name + " did not " + readiness + " within " + timeout.toSeconds() + " s: "
                    + printed, e);
        }
        return pump;
    }
}
