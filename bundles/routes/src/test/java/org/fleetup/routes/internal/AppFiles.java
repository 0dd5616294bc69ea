package org.fleetup.routes.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.fleetup.simulator.DemoApplication;

/** The ground truth of one server's application root ({@code <root>/demo-app}), read straight from its disk. */
record AppFiles(Path path) {

    static AppFiles under(Path serverRoot) {
        return new AppFiles(serverRoot.resolve(DemoApplication.PRODUCT));
    }

    /** Where {@code current} points, as its link says. */
    String current() {
        try {
            return Files.readSymbolicLink(path.resolve("current")).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The version file of the release {@code current} points to. */
    String currentVersion() {
        try {
            return Files.readString(path.resolve("current/VERSION")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path release(String version) {
        return path.resolve("releases").resolve(version);
    }

    /** The versions in {@code releases/}. */
    List<String> releases() {
        return list(path.resolve("releases")).sorted().toList();
    }

    /** Whatever an install may leave behind: staging files, scratch or aside directories, a half-made link. */
    List<String> leftovers() {
        return Stream.concat(list(path).filter(n -> n.startsWith(".scratch-") || n.startsWith(".aside-")
                        || n.equals("current.new")),
                list(path.resolve("staging")).map(n -> "staging/" + n)).toList();
    }

    /** The on-server switch units' journals ({@code .fleetup/*.journal}). */
    List<String> unitJournals() {
        return list(path.resolve(".fleetup")).filter(n -> n.endsWith(".journal")).toList();
    }

    /** The lines of each of the switch units' journals, in the order of their names. */
    List<List<String>> unitJournalLines() {
        return unitJournals().stream().sorted().map(name -> {
            try {
                return Files.readAllLines(path.resolve(".fleetup").resolve(name));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    /** The files of release {@code version} whose SHA-256 differs from what its manifest says, or that are missing. */
    List<String> filesNotMatchingTheirManifest(String version) {
        Path release = release(version);
        try {
            return Files.readAllLines(release.resolve(DemoApplication.MANIFEST)).stream()
                    .filter(line -> !line.isBlank())
                    .filter(line -> {
                        String[] parts = line.split("\\s+\\*?", 2);
                        Path file = release.resolve(parts[1]);
                        return !Files.isRegularFile(file) || !parts[0].equals(sha256(file));
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
}
