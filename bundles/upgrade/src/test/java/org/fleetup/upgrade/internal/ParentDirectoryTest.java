package org.fleetup.upgrade.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shell's own {@code dirname} in {@link ReleaseDirectoryInstall#createMissing}, in the shells servers have, names
 * the parent that {@code dirname} names, for the roots operators write: with trailing or doubled slashes, relative,
 * with spaces.
 */
class ParentDirectoryTest {

    private static final List<String> PATHS = List.of("/srv/app", "/srv/app/", "/srv//app", "/srv", "/", "//srv",
            "app", "app/", "./app", ".", "/srv/my app/releases", "relative/deeper/staging", "/opt/app///");

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "busybox", "bash"})
    void namesTheParentThatDirnameNames(String shell) throws Exception {
        List<String> command = new ArrayList<>(shell.equals("busybox") ? List.of("busybox", "sh") : List.of(shell));
        assumeTrue(runs(command), shell + " is not installed");
        StringBuilder script = new StringBuilder();
        for (String path : PATHS) {
            String word = "'" + path + "'";
            script.append("fleetup_dir=").append(word).append("; ").append(ReleaseDirectoryInstall.PARENT)
                    .append("; printf '%s|%s\\n' \"$fleetup_dir\" \"$(dirname ").append(word).append(")\"\n");
        }
        command.addAll(List.of("-c", script.toString()));

        List<String> answers = output(command).lines().toList();

        assertThat(answers).hasSize(PATHS.size());
        for (int i = 0; i < PATHS.size(); i++) {
            String[] ownAndDirname = answers.get(i).split("\\|", -1);
            assertThat(ownAndDirname[0]).as("the parent of '%s' in %s", PATHS.get(i), shell)
                    .isEqualTo(ownAndDirname[1]);
        }
    }

    private static boolean runs(List<String> shell) {
        List<String> command = new ArrayList<>(shell);
        command.addAll(List.of("-c", "true"));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String output(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("%s ended", command).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, printed).isZero();
        return printed;
    }
}
