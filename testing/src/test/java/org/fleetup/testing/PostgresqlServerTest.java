package org.fleetup.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture itself, through PostgreSQL's own client: the database the inventory's tests run on. */
class PostgresqlServerTest {

    @TempDir
    Path temp;

    @Test
    void aClusterOfItsOwnAnswersOnLoopbackAndStopsByItsPid() throws Exception {
        assertThat(PostgresqlServer.available())
                .as("PostgreSQL is not installed: apt-get install postgresql (.ci/run does)").isTrue();
        long pid;
        try (PostgresqlServer server = PostgresqlServer.start(temp.resolve("pg"))) {
            pid = server.pid();
            server.createDatabase("fleetup_test");

            assertThat(server.psql("fleetup_test", "SELECT current_database(), current_user,"
                    + " inet_server_addr(), inet_server_port(), pg_backend_pid() <> " + pid).strip())
                    .isEqualTo("fleetup_test|fleetup|127.0.0.1|" + server.port() + "|t");
            assertThat(server.psql("postgres", "SELECT setting FROM pg_settings WHERE name = 'data_directory'")
                    .strip()).isEqualTo(temp.resolve("pg").resolve("data").toString());
            assertThat(ProcessHandle.of(pid)).map(ProcessHandle::isAlive).contains(true);
        }
        Optional<ProcessHandle> after = ProcessHandle.of(pid);
        assertThat(after.map(ProcessHandle::isAlive).orElse(false)).as("the postmaster ended").isFalse();
    }
}
