package org.fleetup.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real host keys and known_hosts files, made by OpenSSH's own {@code ssh-keygen}. */
public final class OpenSshKeys {

    private static final long TIMEOUT_SECONDS = 30;

    private final Path dir;

    public OpenSshKeys(Path dir) {
        this.dir = dir;
    }

    /** A new ed25519 key pair; its public key as a known_hosts line holds it ({@code ssh-ed25519 AAAA...}). */
    public String newKey(String name) throws IOException, InterruptedException {
        return newKey("ed25519", name);
    }

    /** A new key pair of {@code type} ({@code ssh-keygen -t}: ed25519, ecdsa, rsa); its public key line. */
    public String newKey(String type, String name) throws IOException, InterruptedException {
        Path file = dir.resolve(name);
        run("ssh-keygen", "-q", "-t", type, "-N", "", "-C", name, "-f", file.toString());
        String[] fields = Files.readString(dir.resolve(name + ".pub"), StandardCharsets.UTF_8).strip().split(" ");
        return fields[0] + " " + fields[1];
    }

    /** The fingerprint OpenSSH shows for a public key ({@code SHA256:...}). */
    public String fingerprint(String key) throws IOException, InterruptedException {
        Path file = Files.writeString(Files.createTempFile(dir, "key", ".pub"), key + "\n");
        return run("ssh-keygen", "-l", "-E", "sha256", "-f", file.toString()).split(" ")[1];
    }

    /** A known_hosts file of these lines, with every unmarked line hashed by {@code ssh-keygen -H} when asked. */
    public Path knownHosts(boolean hashed, String... lines) throws IOException, InterruptedException {
        Path file = Files.write(Files.createTempFile(dir, "known_hosts", ""), List.of(lines));
        if (hashed) {
            run("ssh-keygen", "-H", "-f", file.toString());
        }
        return file;
    }

    /** The host field OpenSSH writes for a host when it hashes it ({@code |1|salt|hash}). */
    public String hashedHost(String host, String key) throws IOException, InterruptedException {
        Path file = knownHosts(true, host + " " + key);
        return Files.readAllLines(file).get(0).split(" ")[0];
    }

    private String run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command)))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not end within " + TIMEOUT_SECONDS + " s");
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
