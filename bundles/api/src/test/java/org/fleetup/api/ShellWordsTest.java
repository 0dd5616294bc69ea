package org.fleetup.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Judged by the real {@code /bin/sh} of this machine: what it reads from the words written. */
class ShellWordsTest {

    @TempDir
    Path home;

    @ParameterizedTest
    @ValueSource(strings = {"eu1;touch pwned;#", "$(touch pwned)", "`touch pwned`", "it's", "1.0 beta", "a\"b",
            "back\\slash", "*", "two\nlines", "", "'", "$HOME", "~"})
    void aQuotedWordReachesTheShellAsItIsAndAlone(String value) throws Exception {
        String printed = sh("printf '[%s]\\n' " + ShellWords.quote(value));

        assertThat(printed).isEqualTo("[" + value + "]\n");
        assertThat(home.resolve("pwned")).doesNotExist();
    }

    @Test
    void aPathBelowTheHomeDirectoryExpandsOnlyTheHome() throws Exception {
        for (String path : List.of("~/my apps/$(touch pwned)", "$HOME/my apps/$(touch pwned)",
                "${HOME}/my apps/$(touch pwned)")) {
            assertThat(sh("printf '[%s]\\n' " + ShellWords.path(path)))
                    .isEqualTo("[" + home + "/my apps/$(touch pwned)]\n");
        }
        assertThat(sh("printf '[%s]\\n' " + ShellWords.path("~"))).isEqualTo("[" + home + "]\n");
        assertThat(home.resolve("pwned")).doesNotExist();
    }

    @Test
    void anyOtherPathIsLiteral() throws Exception {
        for (String path : List.of("/srv/$HOME/app", "~user/app", "$HOMEDIR/app", "relative dir/app", "/a'b")) {
            assertThat(sh("printf '[%s]\\n' " + ShellWords.path(path))).isEqualTo("[" + path + "]\n");
        }
    }

    @Test
    void theHomeIsRecognisedOnlyAsAWholeFirstComponent() {
        assertThat(ShellWords.belowHome("~/app")).contains("app");
        assertThat(ShellWords.belowHome("$HOME")).contains("");
        assertThat(ShellWords.belowHome("${HOME}/a/b")).contains("a/b");
        assertThat(ShellWords.belowHome("$HOMEDIR/app")).isEmpty();
        assertThat(ShellWords.belowHome("~app")).isEmpty();
        assertThat(ShellWords.belowHome("/home/app")).isEmpty();
    }

    private String sh(String command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).directory(home.toFile())
                .redirectErrorStream(true);
        builder.environment().put("HOME", home.toString());
        Process process = builder.start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return printed;
    }
}
