package org.fleetup.bench.scale;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * One exec request on a stand-in host. In Java mode it answers exactly the command the inspection sends,
 * {@code cd "$HOME"/'<dir>' && cat <file>} or {@code cd '<dir>' && cat <file>} (the root as
 * {@code ProductProfile.shellRoot()} writes it, $HOME being the host's root), from the file, with cat's own error
 * and exit status when the file is missing; any other command gets 127, so nothing is answered that a real shell
 * would answer otherwise. In shell mode every command runs through {@code /bin/sh -c} in the host's root, as the
 * simulator does.
 */
final class StandInCommand implements Command {

    private static final Pattern CD_AND_CAT = Pattern.compile(
            "cd (?:(\"\\$HOME\")(?:/'([^']*)')?|'([^']*)') && cat ([A-Za-z0-9._/-]+)");

    private final String command;
    private final Path home;
    private final ExecutorService shells;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    StandInCommand(String command, Path home, ExecutorService shells) {
        this.command = command;
        this.home = home;
        this.shells = shells;
    }

    @Override
    public void setInputStream(InputStream in) {
        // no command of the stand-in reads its input
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        if (shells != null) {
            shells.execute(this::runShell);
            return;
        }
        Matcher matcher = CD_AND_CAT.matcher(command);
        if (!matcher.matches()) {
            finish(127, "", "stand-in: only 'cd DIR && cat FILE' is answered, not: " + command + "\n");
            return;
        }
        Path dir = matcher.group(1) == null ? home.resolve(matcher.group(3))
                : matcher.group(2) == null ? home : home.resolve(matcher.group(2));
        String file = matcher.group(4);
        try {
            finish(0, Files.readString(dir.resolve(file), StandardCharsets.UTF_8), "");
        } catch (NoSuchFileException e) {
            finish(1, "", "cat: " + file + ": No such file or directory\n");
        }
    }

    private void runShell() {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).directory(home.toFile());
        builder.environment().clear();
        builder.environment().put("HOME", home.toString());
        builder.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process process = builder.start();
            // Version output is tiny: reading stdout then stderr cannot dead-lock on a full pipe.
            byte[] stdout = process.getInputStream().readAllBytes();
            byte[] stderr = process.getErrorStream().readAllBytes();
            finish(process.waitFor(), new String(stdout, StandardCharsets.UTF_8),
                    new String(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            finishQuietly(127, "", "cannot run /bin/sh: " + e.getMessage() + "\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finishQuietly(130, "", "interrupted\n");
        }
    }

    private void finishQuietly(int status, String stdout, String stderr) {
        try {
            finish(status, stdout, stderr);
        } catch (IOException e) {
            // the channel is gone; nobody is left to answer
        }
    }

    private void finish(int status, String stdout, String stderr) throws IOException {
        if (!stdout.isEmpty()) {
            out.write(stdout.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        if (!stderr.isEmpty()) {
            err.write(stderr.getBytes(StandardCharsets.UTF_8));
            err.flush();
        }
        exit.onExit(status);
    }

    @Override
    public void destroy(ChannelSession channel) {
        // answered at once, or by a shell that ends on its own
    }
}
