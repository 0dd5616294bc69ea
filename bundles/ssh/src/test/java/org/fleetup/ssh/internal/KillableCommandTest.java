package org.fleetup.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wrapped command as the shells of real servers run it, here through dash and BusyBox's sh: what the command
 * prints and returns is its own, and the process group it announces is the one to kill; on a server without
 * {@code setsid}, the command still runs and its shell can still be killed.
 */
class KillableCommandTest {

    private static final Path BUSYBOX = Path.of("/bin/busybox");

    @TempDir
    Path directory;

    static Stream<String> shells() {
        return Stream.of("dash", "busybox");
    }

    /** A directory for {@code PATH} holding {@code sh} (also {@code $SHELL}) and the given tools, nothing else. */
    private Path tools(String shell, boolean withSetsid) throws IOException {
        Path bin = directory.resolve(shell + (withSetsid ? "-setsid" : "-bare"));
        if (Files.isDirectory(bin)) {
            return bin;
        }
        Files.createDirectories(bin);
        if (shell.equals("busybox")) {
            assumeTrue(Files.isExecutable(BUSYBOX), "busybox is not installed");
            for (String tool : withSetsid ? List.of("sh", "sleep", "setsid") : List.of("sh", "sleep")) {
                Files.createSymbolicLink(bin.resolve(tool), BUSYBOX);
            }
        } else {
            Files.createSymbolicLink(bin.resolve("sh"), Path.of("/bin/dash"));
            Files.createSymbolicLink(bin.resolve("sleep"), Path.of("/bin/sleep"));
            if (withSetsid) {
                Files.createSymbolicLink(bin.resolve("setsid"), Path.of("/usr/bin/setsid"));
            }
        }
        return bin;
    }

    private static Process run(Path tools, String command) throws IOException {
        return run(tools, command, false);
    }

    /**
     * Runs {@code command} as sshd does when {@code leading}: by a shell that leads a session and a process group of its
     * own ({@code setsid} makes them without forking, as this JVM's child leads no group).
     */
    private static Process run(Path tools, String command, boolean leading) throws IOException {
        List<String> line = new ArrayList<>(List.of(tools.resolve("sh").toString(), "-c", command));
        if (leading) {
            line.add(0, "/usr/bin/setsid");
        }
        ProcessBuilder builder = new ProcessBuilder(line);
        builder.environment().put("PATH", tools.toString());
        builder.environment().put("SHELL", tools.resolve("sh").toString());
        return builder.start();
    }

    private static String text(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long processGroupOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
    }

    static Stream<Arguments> shellsLeadingOrNot() {
        return shells().flatMap(shell -> Stream.of(Arguments.of(shell, false), Arguments.of(shell, true)));
    }

    @ParameterizedTest(name = "{0}, leading a group: {1}")
    @MethodSource("shellsLeadingOrNot")
    void wrappedCommandPrintsAndReturnsWhatItWould(String shell, boolean leading) throws Exception {
        String command = "printf '%s\\n' \"it's\" 'a \"b\" $HOME'\necho $((1 + 2)) \"$#\" >&2; printf end; exit 7";
        Path tools = tools(shell, true);

        Process plain = run(tools, command, leading);
        Process wrapped = run(tools, KillableCommand.wrap(command), leading);
        CompletableFuture<String> plainErr = CompletableFuture.supplyAsync(() -> text(plain.getErrorStream()));
        CompletableFuture<String> wrappedErr = CompletableFuture.supplyAsync(() -> text(wrapped.getErrorStream()));
        String plainOut = text(plain.getInputStream());
        String wrappedOut = text(wrapped.getInputStream());

        assertThat(plain.waitFor(10, TimeUnit.SECONDS) && wrapped.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(wrappedOut).isEqualTo(plainOut).isEqualTo("it's\na \"b\" $HOME\nend");
        String printedErr = wrappedErr.get(10, TimeUnit.SECONDS);
        assertThat(KillableCommand.group(printedErr)).isPresent();
        assertThat(KillableCommand.stderr(printedErr)).isEqualTo(plainErr.get(10, TimeUnit.SECONDS))
                .isEqualTo("3 0\n");
        assertThat(wrapped.exitValue()).isEqualTo(plain.exitValue()).isEqualTo(7);
    }

    /** A shell gives a background command /dev/null for stdin: the wrapper must pass the session's on. */
    @ParameterizedTest(name = "{0}, leading a group: {1}")
    @MethodSource("shellsLeadingOrNot")
    void wrappedCommandReadsTheInputItIsGiven(String shell, boolean leading) throws Exception {
        String command = "read -r first; read -r second; echo \"$second $first\"";
        for (boolean withSetsid : List.of(true, false)) {
            Process wrapped = run(tools(shell, withSetsid), KillableCommand.wrap(command), leading);
            try (OutputStream stdin = wrapped.getOutputStream()) {
                stdin.write("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
            }
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> text(wrapped.getErrorStream()));

            assertThat(text(wrapped.getInputStream())).as("setsid: " + withSetsid).isEqualTo("two one\n");
            assertThat(wrapped.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(KillableCommand.stderr(err.get(10, TimeUnit.SECONDS))).isEmpty();
            assertThat(wrapped.exitValue()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void commandLeadsAProcessGroupOfItsOwnWhichTheKillEnds(String shell) throws Exception {
        Process wrapped = run(tools(shell, true), KillableCommand.wrap("echo $$; sleep 30"));
        long group = announcedGroup(wrapped);
        long commandShell = Long.parseLong(new BufferedReader(new InputStreamReader(wrapped.getInputStream(),
                StandardCharsets.UTF_8)).readLine().strip());

        assertThat(group).isEqualTo(commandShell).isNotEqualTo(wrapped.pid());
        assertThat(processGroupOf(commandShell)).isEqualTo(group);
        assertThat(kill(shell, group)).isEqualTo(KillableCommand.KILLED_GROUP);
        assertThat(wrapped.waitFor(10, TimeUnit.SECONDS)).as("the wrapper ended with its command").isTrue();
    }

    /** As sshd starts it: the shell that leads its group runs the command itself, no process added, and the kill ends all. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void aShellLeadingItsGroupRunsTheCommandItselfAndTheKillEndsItWithWhatItStarted(String shell) throws Exception {
        Process wrapped = run(tools(shell, true), KillableCommand.wrap("echo $$; sleep 30 & echo $!; wait"), true);
        long group = announcedGroup(wrapped);
        BufferedReader out = new BufferedReader(new InputStreamReader(wrapped.getInputStream(),
                StandardCharsets.UTF_8));
        long commandShell = Long.parseLong(out.readLine().strip());
        long child = Long.parseLong(out.readLine().strip());

        assertThat(commandShell).as("the command runs in the shell sshd started").isEqualTo(wrapped.pid())
                .isEqualTo(group);
        assertThat(ProcessHandle.of(commandShell).orElseThrow().children().map(ProcessHandle::pid))
                .as("no setsid, no second shell").containsExactly(child);
        assertThat(processGroupOf(child)).isEqualTo(group);
        assertThat(kill(shell, group)).isEqualTo(KillableCommand.KILLED_GROUP);
        assertThat(wrapped.waitFor(10, TimeUnit.SECONDS)).as("the command's shell ended").isTrue();
        Awaitility.await("the command's child ended").atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void withoutSetsidTheCommandRunsAndItsShellCanBeKilled(String shell) throws Exception {
        Process wrapped = run(tools(shell, false), KillableCommand.wrap("exec sleep 30"));
        long group = announcedGroup(wrapped);

        assertThat(kill(shell, group)).isEqualTo(KillableCommand.KILLED_SHELL);
        assertThat(wrapped.waitFor(10, TimeUnit.SECONDS)).as("the wrapper ended with its command's shell").isTrue();
    }

    private static long announcedGroup(Process wrapped) throws IOException {
        String line = new BufferedReader(new InputStreamReader(wrapped.getErrorStream(), StandardCharsets.UTF_8))
                .readLine();
        OptionalLong group = KillableCommand.group(line + "\n");
        assertThat(group).as("announced on stderr: %s", line).isPresent();
        return group.getAsLong();
    }

    private String kill(String shell, long group) throws Exception {
        Process kill = run(tools(shell, true), KillableCommand.kill(group));
        String printed = text(kill.getInputStream()).strip();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return printed;
    }
}
