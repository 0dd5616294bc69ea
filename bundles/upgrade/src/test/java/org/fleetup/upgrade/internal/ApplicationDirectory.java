package org.fleetup.upgrade.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.fleetup.api.simulator.SimulatedHost;

/** The ground truth of a simulated host's application root, read straight from its disk. */
record ApplicationDirectory(Path path) {

    static ApplicationDirectory of(SimulatedHost host) {
        return new ApplicationDirectory(host.root().resolve("demo-app"));
    }

    String current() {
        try {
            return Files.readSymbolicLink(path.resolve("current")).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path release(String version) {
        return path.resolve("releases").resolve(version);
    }

    /**
     * What is in staging, every scratch, aside or half-switched link, and whatever a unit left beside its journal (its
     * log, its health check's output): nothing, after any upgrade.
     */
    List<String> leftovers() {
        return Stream.of(list(path).filter(n -> n.startsWith(".scratch-") || n.startsWith(".aside-")
                                || n.equals("current.new")),
                        list(path.resolve("staging")).map(n -> "staging/" + n),
                        list(path.resolve(SwitchUnit.DIRECTORY)).filter(n -> !n.endsWith(".journal"))
                                .map(n -> SwitchUnit.DIRECTORY + "/" + n))
                .flatMap(s -> s).toList();
    }

    private static Stream<String> list(Path directory) {
        if (!Files.isDirectory(directory)) {
            return Stream.empty();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of every on-server unit's journal, one list per unit. */
    List<List<String>> unitJournals() {
        Path units = path.resolve(SwitchUnit.DIRECTORY);
        if (!Files.isDirectory(units)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(units)) {
            return files.filter(p -> p.toString().endsWith(".journal")).map(p -> {
                try {
                    return Files.readAllLines(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the running release's launcher prints, run here as the server would run it. */
    String answer() {
        try {
            Process process = new ProcessBuilder("current/bin/demo-app", "--version").directory(path.toFile())
                    .redirectErrorStream(true).start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("current/bin/demo-app did not answer within 10 s");
            }
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Files of a release whose SHA-256 differs from what its MANIFEST.sha256 says. */
    List<String> filesNotMatchingTheirManifest(String version) {
        Path release = release(version);
        try {
            return Files.readAllLines(release.resolve(ReleaseDirectoryInstall.MANIFEST)).stream()
                    .filter(line -> !line.isBlank())
                    .filter(line -> {
                        String[] parts = line.split("\\s+\\*?", 2);
                        return !parts[0].equals(Archives.sha256(release.resolve(parts[1])));
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
