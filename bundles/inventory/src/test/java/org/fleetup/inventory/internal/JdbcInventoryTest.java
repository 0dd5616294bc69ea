package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.net.URI;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.AuditEntry;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.transport.LoginSettings;
import org.junit.jupiter.api.Test;

class JdbcInventoryTest extends InventoryFixture {

    static Server server(String name, String cluster, Map<String, String> attributes) {
        return new Server(name, cluster, URI.create("ssh://" + name + ".fleet.example:22"), LoginSettings.of("deploy",
                "/keys/" + name), attributes);
    }

    @Test
    void addedServerIsReadBackWithEveryFieldAndItsTrust() {
        Server web = new Server("web-01", "eu", URI.create("ssh://127.0.0.1:2201"), LoginSettings.of("deploy",
                "/keys/id_ed25519"),
                Map.of("site", "paris", "rack", "r7"));

        inventory.addServers(List.of(web), Map.of("web-01", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB"));

        assertThat(inventory.server("web-01")).contains(web);
        assertThat(inventory.trusted(web)).contains("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB");
    }

    @Test
    void serverWithoutUserKeyOrHostKeyIsReadBack() {
        Server bare = new Server("bare", null, URI.create("ssh://127.0.0.1:2202"), Map.of(), null);

        inventory.addServers(List.of(bare));

        assertThat(inventory.server("bare")).contains(bare);
        // What the database holds, not what the record's constructor makes of a null on the way out.
        List<String> stored = database.run("read the row", connection -> {
            try (var statement = connection.prepareStatement(
                    "SELECT cluster, login_user, key_file, host_key FROM servers WHERE name = 'bare'");
                 var row = statement.executeQuery()) {
                assertThat(row.next()).isTrue();
                return java.util.Arrays.asList(row.getString(1), row.getString(2), row.getString(3), row.getString(4));
            }
        });
        assertThat(stored).containsExactly(Server.DEFAULT_CLUSTER, null, null, null);
    }

    @Test
    void addServersAddsNoneWhenOneNameExists() {
        inventory.addServers(List.of(server("a", "x", Map.of())));

        assertThatThrownBy(() -> inventory.addServers(List.of(server("b", "x", Map.of("k", "v")),
                server("a", "x", Map.of()), server("c", "x", Map.of()))))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("Server 'a' exists already")
                .hasMessageNotContaining("'a' and 'a'");

        assertThat(inventory.servers(null)).extracting(Server::name).containsExactly("a");
    }

    @Test
    void addServersAddsNoneWhenANameIsListedTwice() {
        assertThatThrownBy(() -> inventory.addServers(List.of(server("b", "x", Map.of()),
                server("d", "x", Map.of()), server("b", "y", Map.of()))))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("'b'");

        assertThat(inventory.servers(null)).isEmpty();
    }

    @Test
    void putServersReplacesExistingOnesWithTheirAttributesAndAddsNewOnes() {
        inventory.addServers(List.of(server("a", "x", Map.of("old", "1", "kept", "2"))));
        Server replaced = new Server("a", "y", URI.create("ssh://127.0.0.1:2300"), LoginSettings.of("root",
                "/keys/other"),
                Map.of("kept", "3"));

        inventory.putServers(List.of(replaced, server("b", "y", Map.of("new", "4"))));

        assertThat(inventory.server("a")).contains(replaced);
        assertThat(inventory.server("b")).map(Server::attributes).contains(Map.of("new", "4"));
    }

    @Test
    void serversAreOrderedByNameAndFilteredByCluster() {
        inventory.addServers(List.of(server("c", "eu", Map.of("n", "1")), server("a", "us", Map.of()),
                server("b", "eu", Map.of("n", "2"))));

        assertThat(inventory.servers(null)).extracting(Server::name).containsExactly("a", "b", "c");
        assertThat(inventory.servers("eu")).extracting(Server::name, Server::attributes)
                .containsExactly(tuple("b", Map.of("n", "2")),
                        tuple("c", Map.of("n", "1")));
        assertThat(inventory.servers("nowhere")).isEmpty();
    }

    @Test
    void aTrustIsRecordedInItsOwnTableAndReadBack() {
        Server a = server("a", "x", Map.of());
        inventory.addServers(List.of(a));
        assertThat(inventory.trusted(a)).isEmpty();

        inventory.trust(a, "ecdsa-sha2-nistp256 AAAAE2");

        assertThat(inventory.trusted(inventory.requireServer("a"))).contains("ecdsa-sha2-nistp256 AAAAE2");
        List<String> stored = database.run("read the row", connection -> {
            try (var statement = connection.prepareStatement(
                    "SELECT scheme, trust_value FROM server_trust WHERE server = 'a'");
                 var row = statement.executeQuery()) {
                assertThat(row.next()).isTrue();
                return List.of(row.getString(1), row.getString(2));
            }
        });
        assertThat(stored).containsExactly("ssh", "ecdsa-sha2-nistp256 AAAAE2");
        assertThat(inventory.forget("a")).isTrue();
        assertThat(inventory.trusted(a)).isEmpty();
        assertThat(inventory.forget("a")).isFalse();
    }

    /** An SSH host key is no certificate pin: a server moved to another transport is trusted anew. */
    @Test
    void aTrustHoldsForTheTransportItWasRecordedForOnly() {
        Server overSsh = server("a", "x", Map.of());
        inventory.addServers(List.of(overSsh), Map.of("a", "ssh-ed25519 AAAA"));
        Server asAgent = new Server("a", "x", URI.create("https://a.fleet.example:8650"), Map.of(), Map.of());

        inventory.putServers(List.of(asAgent), Map.of(), existing -> true);
        assertThat(inventory.trusted(inventory.requireServer("a"))).isEmpty();

        inventory.trust(asAgent, "SHA256:pin");
        assertThat(inventory.trusted(asAgent)).contains("SHA256:pin");
        assertThat(inventory.trusted(overSsh)).as("the same name over SSH").isEmpty();
    }

    @Test
    void aTrustIsReadWithTheServerAndFollowsEveryChange() {
        Server a = server("a", "x", Map.of());
        inventory.addServers(List.of(a), Map.of("a", "ssh-ed25519 OLD"));
        assertThat(inventory.server("a")).isPresent();
        assertThat(inventory.trusted(a)).contains("ssh-ed25519 OLD");

        inventory.trust(a, "ssh-ed25519 NEW");
        assertThat(inventory.trusted(a)).contains("ssh-ed25519 NEW");
        inventory.putServers(List.of(a), Map.of("a", "ssh-ed25519 PUT"), existing -> true);
        assertThat(inventory.trusted(a)).contains("ssh-ed25519 PUT");
        inventory.removeServer("a");
        assertThat(inventory.trusted(a)).isEmpty();
    }

    @Test
    void trustOfAnUnknownServerIsRefused() {
        assertThatThrownBy(() -> inventory.trust(server("ghost", "x", Map.of()), "ssh-ed25519 AAAA"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_NOT_FOUND))
                .hasMessageContaining("ghost");
    }

    @Test
    void removeServerTellsWhetherItExistedAndTakesItsHistoryAlong() {
        inventory.addServers(List.of(server("a", "x", Map.of("k", "v"))));
        inventory.recordInspection(inspection("a", Inspection.Status.OK, "1.0.0", Instant.now()));

        assertThat(inventory.removeServer("a")).isTrue();
        assertThat(inventory.removeServer("a")).isFalse();
        assertThat(inventory.server("a")).isEmpty();
        assertThat(inventory.lastInspection("a")).isEmpty();

        inventory.addServers(List.of(server("a", "x", Map.of())));
        assertThat(inventory.requireServer("a").attributes()).isEmpty();
    }

    @Test
    void lastInspectionIsTheNewestRecorded() {
        inventory.addServers(List.of(server("a", "x", Map.of())));
        Instant now = TestDatabases.kept(Instant.parse("2026-11-24T10:15:30.123456789Z"));
        Inspection newest = inspection("a", Inspection.Status.OK, "1.4.2", now);
        inventory.recordInspection(inspection("a", Inspection.Status.OK, "1.4.1", now.minusSeconds(60)));
        inventory.recordInspection(newest);
        inventory.recordInspection(new Inspection("a", "demo-app", Inspection.Status.UNREACHABLE, null,
                "connection refused", now.minusSeconds(30), Duration.ofMillis(12)));

        assertThat(inventory.lastInspection("a")).contains(newest);
        assertThat(inventory.lastInspection("b")).isEmpty();
    }

    @Test
    void inspectionOfAnUnknownServerIsRefused() {
        assertThatThrownBy(() -> inventory.recordInspection(inspection("ghost", Inspection.Status.OK, "1.0.0",
                Instant.now())))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_NOT_FOUND));
    }

    @Test
    void auditIsNewestFirstAndLimited() {
        inventory.audit("alice", "server-add", "a, b");
        inventory.audit("bob", "rollout-start", "demo-app/2.0.0");
        inventory.audit(null, "rollout-finished", null);

        List<AuditEntry> latest = inventory.audit(2);

        assertThat(latest).extracting(AuditEntry::actor, AuditEntry::action).containsExactly(
                tuple(null, "rollout-finished"),
                tuple("bob", "rollout-start"));
        assertThat(latest.get(0).at()).isAfterOrEqualTo(latest.get(1).at());
        assertThat(inventory.audit(10)).hasSize(3);
        assertThat(inventory.audit(0)).isEmpty();
    }

    @Test
    void addServersRefusesASecondRecordForALoginAndAddsNone() {
        inventory.addServers(List.of(login("web-01", "10.0.0.1", 22, "deploy")));

        assertThatThrownBy(() -> inventory.addServers(List.of(login("web-02", "10.0.0.2", 22, "deploy"),
                login("web-01-again", "10.0.0.1", 22, "deploy"))))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("'web-01-again'")
                .hasMessageContaining("'web-01'")
                .hasMessageContaining("deploy@10.0.0.1:22");

        assertThat(namesInTheDatabase()).containsExactly("web-01");
    }

    @Test
    void twoServersOfOneImportWithTheSameLoginAreRefusedByName() {
        assertThatThrownBy(() -> inventory.addServers(List.of(login("a", "Web1.example", 22, "deploy"),
                login("b", "10.0.0.9", 22, "deploy"), login("c", "web1.EXAMPLE", 22, "deploy"))))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("'a'")
                .hasMessageContaining("'c'")
                .hasMessageContaining("deploy@web1.example:22");

        assertThat(namesInTheDatabase()).isEmpty();
    }

    @Test
    void anotherUserOrPortOnTheSameHostIsAnotherLogin() {
        inventory.addServers(List.of(login("a", "10.0.0.1", 22, "deploy"), login("b", "10.0.0.1", 22, "admin"),
                login("c", "10.0.0.1", 2222, "deploy")));

        assertThat(namesInTheDatabase()).containsExactly("a", "b", "c");
    }

    @Test
    void putServersRefusesToGiveAnotherServerAnExistingLogin() {
        inventory.addServers(List.of(login("a", "10.0.0.1", 22, "deploy"), login("b", "10.0.0.2", 22, "deploy")));

        assertThatThrownBy(() -> inventory.putServers(List.of(login("new", "10.0.0.3", 22, "deploy"),
                login("b", "10.0.0.1", 22, "deploy"))))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("'a'")
                .hasMessageContaining("'b'")
                .hasMessageContaining("deploy@10.0.0.1:22");

        assertThat(namesInTheDatabase()).containsExactly("a", "b");
        assertThat(inventory.requireServer("b").address()).isEqualTo(URI.create("ssh://10.0.0.2:22"));
    }

    @Test
    void putServersMayKeepOrSwapTheLoginsOfTheServersItReplaces() {
        inventory.addServers(List.of(login("a", "10.0.0.1", 22, "deploy"), login("b", "10.0.0.2", 22, "deploy")));

        inventory.putServers(List.of(login("a", "10.0.0.2", 22, "deploy"), login("b", "10.0.0.1", 22, "deploy")));
        inventory.putServers(List.of(login("a", "10.0.0.2", 22, "deploy")));

        assertThat(inventory.requireServer("a").address()).isEqualTo(URI.create("ssh://10.0.0.2:22"));
        assertThat(inventory.requireServer("b").address()).isEqualTo(URI.create("ssh://10.0.0.1:22"));
    }

    @Test
    void putServersReplacesNothingWhenItsGuardRefusesARecord() {
        Server mine = new Server("a", null, URI.create("ssh://10.0.0.1:22"), LoginSettings.of("deploy", "/k"),
                Map.of("owner", "me"));
        Server theirs = new Server("b", null, URI.create("ssh://10.0.0.2:22"), LoginSettings.of("deploy", "/k"),
                Map.of("owner", "them"));
        inventory.addServers(List.of(mine, theirs));

        assertThatThrownBy(() -> inventory.putServers(List.of(login("a", "10.0.0.3", 22, "deploy"),
                login("b", "10.0.0.4", 22, "deploy"), login("c", "10.0.0.5", 22, "deploy")),
                existing -> "me".equals(existing.attributes().get("owner"))))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("'b'");

        assertThat(namesInTheDatabase()).containsExactly("a", "b");
        assertThat(inventory.servers(null)).containsExactly(mine, theirs);
    }

    @Test
    void theDatabaseItselfHoldsOneRecordPerLogin() {
        inventory.addServers(List.of(login("a", "10.0.0.1", 22, "deploy")));

        assertThatThrownBy(() -> database.run("insert a second record for a's login", connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO servers (name, cluster,"
                    + " address, login_user, login_key, created_at, updated_at)"
                    + " SELECT 'b', cluster, address, login_user, login_key, created_at, updated_at"
                    + " FROM servers WHERE name = 'a'")) {
                return insert.executeUpdate();
            }
        })).isInstanceOfSatisfying(FleetupException.class,
                e -> assertThat(e.getCause()).isInstanceOfSatisfying(SQLException.class,
                        cause -> assertThat(cause.getSQLState()).isEqualTo("23505")));

        assertThat(namesInTheDatabase()).containsExactly("a");
    }

    private static Server login(String name, String host, int port, String user) {
        return new Server(name, null, URI.create("ssh://" + host + ":" + port), LoginSettings.of(user, "/keys/k"),
                null);
    }

    private List<String> namesInTheDatabase() {
        return database.run("read the server names", connection -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT name FROM servers ORDER BY name");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    names.add(row.getString(1));
                }
            }
            return names;
        });
    }

    private static Inspection inspection(String server, Inspection.Status status, String version, Instant at) {
        return new Inspection(server, "demo-app", status, version, null, at, Duration.ofNanos(1_234_567));
    }
}
