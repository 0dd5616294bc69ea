package org.fleetup.simulator;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.simulator.SimulatedHost;

/** The real OpenSSH client ({@code /usr/bin/ssh}, {@code /usr/bin/sftp}) in batch mode, bounded in time. */
final class OpenSshClient {

    private static final long TIMEOUT_SECONDS = 60;

    private final Path workDir;
    private final Path identity;
    private final Path knownHosts;
    private final int connectTimeoutSeconds;

    /** A client that logs in as the fleet's user with its key and trusts exactly its known_hosts. */
    OpenSshClient(SimulatedFleet fleet, Path workDir) {
        this(workDir, fleet.clientKey(), fleet.knownHosts());
    }

    OpenSshClient(Path workDir, Path identity, Path knownHosts) {
        this(workDir, identity, knownHosts, 10);
    }

    private OpenSshClient(Path workDir, Path identity, Path knownHosts, int connectTimeoutSeconds) {
        this.workDir = workDir;
        this.identity = identity;
        this.knownHosts = knownHosts;
        this.connectTimeoutSeconds = connectTimeoutSeconds;
    }

    /** A client that gives up connecting, the SSH banner exchange included, after this many seconds. */
    OpenSshClient withConnectTimeout(int seconds) {
        return new OpenSshClient(workDir, identity, knownHosts, seconds);
    }

    OpenSshClient withIdentity(Path otherIdentity) {
        return new OpenSshClient(workDir, otherIdentity, knownHosts);
    }

    OpenSshClient withKnownHosts(Path otherKnownHosts) {
        return new OpenSshClient(workDir, identity, otherKnownHosts);
    }

    Result ssh(SimulatedHost host, String command) throws IOException, InterruptedException {
        return ssh(host, command, new byte[0]);
    }

    Result ssh(SimulatedHost host, String command, byte[] stdin) throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(List.of("/usr/bin/ssh"));
        arguments.addAll(options());
        arguments.addAll(List.of("-p", Integer.toString(host.port()), SimulatedFleet.USER + "@127.0.0.1", command));
        return run(arguments, stdin);
    }

    /** Runs {@code sftp -b} with the given batch lines; a failing line ends the batch with a non-zero status. */
    Result sftp(SimulatedHost host, String... batchLines) throws IOException, InterruptedException {
        Path batch = Files.createTempFile(workDir, "batch", ".sftp");
        Files.write(batch, List.of(batchLines));
        List<String> arguments = new ArrayList<>(List.of("/usr/bin/sftp", "-b", batch.toString()));
        arguments.addAll(options());
        arguments.addAll(List.of("-P", Integer.toString(host.port()), SimulatedFleet.USER + "@127.0.0.1"));
        return run(arguments, new byte[0]);
    }

    private List<String> options() {
        return List.of("-F", "/dev/null",
                "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes",
                "-o", "StrictHostKeyChecking=yes",
                "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "ConnectTimeout=" + connectTimeoutSeconds,
                "-i", identity.toString());
    }

    private Result run(List<String> arguments, byte[] stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        Path in = Files.write(Files.createTempFile(workDir, "in", ".txt"), stdin);
        Process process = new ProcessBuilder(arguments)
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", arguments) + " did not end within " + TIMEOUT_SECONDS + " s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Runs a local command in {@code directory}, bounded in time. */
    static Result local(File directory, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("local", ".out");
        Path err = Files.createTempFile("local", ".err");
        try {
            Process process = new ProcessBuilder(command).directory(directory)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    record Result(int exit, String out, String err) {
    }
}
