package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.transport.LoginSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the inventory has committed is there after the controller's process is killed (SIGKILL) at once: a restarted
 * controller must find the rollout it reported as started.
 */
class CommitSurvivesKillTest {

    @TempDir
    Path dir;

    @Test
    void aCommitSurvivesAKillOfTheProcessRightAfterIt() throws Exception {
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Writer.class.getName(), TestDatabases.url(dir))
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals("committed"));
            assertThat(line).as("the writer reported its commit").isEqualTo("committed");
            writer.destroyForcibly();
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            writer.destroyForcibly();
        }

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(new JdbcInventory(database).server("survivor")).isPresent();
        }
    }

    /** Commits one server, says so, and waits to be killed. */
    public static final class Writer {

        public static void main(String[] args) throws Exception {
            InventoryDatabase database = TestDatabases.open(args[0], TestDatabases.USER, TestDatabases.PASSWORD);
            new JdbcInventory(database).addServers(List.of(new Server("survivor", null,
                    URI.create("ssh://127.0.0.1:2222"), LoginSettings.of("deploy", null), Map.of())));
            System.out.println("committed");
            System.out.flush();
            // Killed by the test long before this ends; bounded so that an orphan goes away by itself.
            new java.util.concurrent.CountDownLatch(1).await(5, TimeUnit.MINUTES);
        }
    }
}
