package org.fleetup.agent.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.fleetup.agent.protocol.TrustedKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller's signing key: made once, private to its owner, in the format the agent's trust file reads. */
class ControllerKeyTest {

    @TempDir
    Path dir;

    @Test
    void madeAtTheFirstStartAndTheSameKeyEverAfter() throws Exception {
        Path file = dir.resolve("etc").resolve("fleetup-controller.key");

        ControllerKey made = ControllerKey.openOrCreate(file, "controller");
        ControllerKey again = ControllerKey.openOrCreate(file, "controller");

        assertThat(again.keyId()).isEqualTo(made.keyId()).startsWith("SHA256:");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(made.publicFile()))
                .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(made.publicFile()).isEqualTo(dir.resolve("etc").resolve("fleetup-controller.pub"));
        assertThat(made.publicLine()).startsWith("ssh-ed25519 ").endsWith(" controller");
        TrustedKeys trusted = TrustedKeys.parse(List.of("# what an operator pastes", made.publicLine()));
        assertThat(trusted.key(made.keyId())).as("the agent trusts the line fleet:agent-key prints").isPresent();
        assertThat(dir.resolve("etc")).isDirectoryNotContaining(path -> path.getFileName().toString()
                .startsWith("."));
    }
}
