package org.fleetup.inspection.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.transport.LoginSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Judged by real shells - this machine's {@code /bin/sh} and, where installed, BusyBox's - running the commands with
 * hostile attributes: each must arrive as one word, as it is, and nothing in it may run.
 */
class ServerAttributesTest {

    private static final List<String> HOSTILE = List.of("eu1;touch pwned;#", "$(touch pwned)", "`touch pwned`",
            "1.0 beta", "it's", "\"; touch pwned; \"", "'; touch pwned; '", "a\\", "*", "${HOME}", "~", "-n", "");

    /** Commands that print their words one per line, in brackets, {@code ${v}} being the attribute; what they print. */
    private static final List<Context> CONTEXTS = List.of(
            new Context("printf '[%s]\\n' ${v}", v -> "[" + v + "]\n"),
            new Context("printf '[%s]\\n' x${v}y", v -> "[x" + v + "y]\n"),
            new Context("printf '[%s]\\n' \"x ${v} y\"", v -> "[x " + v + " y]\n"),
            new Context("printf '[%s]\\n' 'x ${v} y'", v -> "[x " + v + " y]\n"),
            new Context("printf '[%s]\\n' \"$(printf '%s' ${v})\"", v -> "[" + v + "]\n"),
            new Context("printf '[%s]\\n' \"$(printf '%s' \"${v}\")\"", v -> "[" + v + "]\n"),
            new Context("printf '[%s]\\n' $(printf '%s' x)${v}", v -> "[x" + v + "]\n"),
            new Context("v=${v}; printf '[%s]\\n' \"$v\"", v -> "[" + v + "]\n"),
            new Context("(printf '[%s]\\n' ${v})", v -> "[" + v + "]\n"),
            new Context("printf '[%s]\\n' \\'${v}", v -> "['" + v + "]\n"),
            new Context("# ${v} ' \"\nprintf '[%s]\\n' ${v}", v -> "[" + v + "]\n"),
            new Context("printf '[%s]\\n' \"${HOME:-none}\" $$${v} >/dev/null; printf '[%s]\\n' ${v}",
                    v -> "[" + v + "]\n"));

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/bin/busybox"})
    void everyAttributeIsOneWordAsItIsWhereverItStands(String shell) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(shell)), shell + " is not here");
        for (String value : HOSTILE) {
            ServerAttributes attributes = attributes(Map.of("v", value));
            for (Context context : CONTEXTS) {
                String command = attributes.command("versionCommand", context.command());

                assertThat(run(shell, command)).as("%s from %s with v = %s", command, context.command(), value)
                        .isEqualTo(context.prints().apply(value));
                assertThat(dir.resolve("pwned")).as(command).doesNotExist();
            }
        }
    }

    @Test
    void theShellsOwnExpressionsAreLeftToIt() {
        ServerAttributes attributes = attributes(Map.of("site", "paris"));

        assertThat(attributes.command("versionCommand", "cat ${unknown}/${TMPDIR:-/tmp}/$${site}/$PWD/${site}"))
                .isEqualTo("cat ${unknown}/${TMPDIR:-/tmp}/$${site}/$PWD/'paris'");
    }

    @Test
    void anAttributeAfterAConstructNotFollowedIsRefusedNotGuessed() {
        ServerAttributes attributes = attributes(Map.of("site", "paris"));

        for (String command : List.of("echo `date` ${site}", "echo $((1 + 2)) ${site}", "echo $'a\\'b' ${site}",
                "cat <<EOF\n${site}\nEOF", "case x in x) echo ${site};; esac", "echo \"${X:-\"${site}\"}\"",
                "echo ${X:-${site}}", "(( x = 1 )); echo ${site}")) {
            assertThatThrownBy(() -> attributes.command("versionCommand", command)).as(command)
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.INVALID_INPUT))
                    .hasMessageContaining("versionCommand of demo-app")
                    .hasMessageContaining("${site}");
        }
        assertThat(attributes.command("versionCommand", "echo ${site} `date`")).isEqualTo("echo 'paris' `date`");
    }

    @Test
    void anAttributeHoldingAControlCharacterIsRefusedNamingServerColumnAndCharacter() {
        ServerAttributes attributes = attributes(Map.of("site", "eu1\nreboot"));

        assertThatThrownBy(() -> attributes.command("versionCommand", "echo ${site}"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("'site'").hasMessageContaining("'web-01'").hasMessageContaining("U+000A");
        assertThatThrownBy(() -> attributes.path("root", "/srv/${site}")).isInstanceOf(FleetupException.class);
    }

    @Test
    void aRootTakesAttributesAsTextAndKeepsOnlyItsOwnLeadingHome() {
        ServerAttributes attributes = attributes(Map.of("site", "eu 1;$(reboot)", "base", "$HOME/x"));

        assertThat(attributes.path("root", "~/${site}/app")).isEqualTo("$HOME/eu 1;$(reboot)/app");
        assertThat(attributes.path("root", "$HOME")).isEqualTo("$HOME");
        assertThat(attributes.path("root", "/srv/${base}")).isEqualTo("/srv/$HOME/x");
        assertThatThrownBy(() -> attributes.path("root", "${base}/app"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("Write $HOME/ at the start");
    }

    @Test
    void aRootNamingAnAttributeTheServerLacksOrAnotherVariableIsRefused() {
        ServerAttributes attributes = attributes(Map.of());

        assertThatThrownBy(() -> attributes.path("root", "/srv/${site}/app"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("server 'web-01' has no attribute 'site'");
        assertThatThrownBy(() -> attributes.path("root", "$APP_HOME/app"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.INVALID_INPUT))
                .hasMessageContaining("'$APP_HOME/app'");
    }

    private record Context(String command, UnaryOperator<String> prints) {
    }

    private static ServerAttributes attributes(Map<String, String> values) {
        return new ServerAttributes(new Server("web-01", null, URI.create("ssh://127.0.0.1:2201"),
                LoginSettings.of("deploy", "/keys/k"), values), "demo-app");
    }

    private String run(String shell, String command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(shell.endsWith("busybox") ? List.of(shell, "sh") : List.of(shell));
        argv.addAll(List.of("-c", command));
        ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("HOME", dir.toString());
        Process process = builder.start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return printed;
    }
}
