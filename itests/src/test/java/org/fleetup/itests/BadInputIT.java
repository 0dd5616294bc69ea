package org.fleetup.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.simulator.SimulatedHost;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** Bad input gets a clear error, through the commands a user types, and changes nothing. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BadInputIT extends FleetupTestSupport {

    private static final String HEADER = "name,host,port,user,keyfile\n";

    /** A key file that exists, as the SSH transport requires of an imported server; never read here. */
    private static final String KEY = keyFile();

    private static String keyFile() {
        try {
            return Files.createTempFile("fleetup-it-key", "").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path work() throws IOException {
        return Files.createTempDirectory("fleetup-it");
    }

    private void assertFails(String command, String expected) {
        Result result = run(command);
        assertTrue("'" + command + "' fails:\n" + result.all(), result.failed());
        assertTrue("'" + command + "' says '" + expected + "':\n" + result.all(),
                result.error().getMessage().contains(expected));
    }

    private Path release(Path work, String version) {
        Path artifact = work.resolve("demo-app-" + version + ".tar.gz");
        ok("fleet:sim-release --version " + version + " " + artifact);
        return artifact;
    }

    @Test
    public void csvWithAMissingColumnADuplicateOrABadPortImportsNothing() throws Exception {
        Path work = work();
        Path missing = Files.writeString(work.resolve("missing.csv"),
                "name,host,user,keyfile\ncsv-a,h,u," + KEY + "\n");
        Path duplicate = Files.writeString(work.resolve("dup.csv"),
                HEADER + "csv-b,h,22,u," + KEY + "\ncsv-b,h,23,u," + KEY + "\n");
        Path badPort = Files.writeString(work.resolve("port.csv"),
                HEADER + "csv-c,h,22,u," + KEY + "\ncsv-d,h,70000,u," + KEY + "\n");

        Path latin1 = Files.write(work.resolve("latin1.csv"), (HEADER.strip() + ",site\n"
                + "csv-e,10.9.0.1,22,u," + KEY + ",paris\ncsv-f,10.9.0.2,22,u," + KEY + ",b\u00e9ziers\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        Path sameLogin = Files.writeString(work.resolve("login.csv"), HEADER
                + "csv-g,10.9.0.3,22,u," + KEY + "\ncsv-h,10.9.0.3,22,u," + KEY + "\n");

        assertFails("fleet:server-import --csv " + missing, "no column 'port'");
        assertFails("fleet:server-import --csv " + duplicate, "'csv-b' appears twice");
        assertFails("fleet:server-import --csv " + badPort, "port '70000'");
        assertFails("fleet:server-import --csv " + work.resolve("absent.csv"), "Cannot read the CSV file");
        assertFails("fleet:server-import --csv " + latin1, "not UTF-8: line 3");
        assertFails("fleet:server-import --csv " + sameLogin, "Servers 'csv-h' and 'csv-g' would both log in as"
                + " u@10.9.0.3:22");
        assertFalse("nothing imported", ok("fleet:server-list").contains("csv-"));
        assertEquals("nothing in the inventory", List.of(), service(Inventory.class).servers(null).stream()
                .map(Server::name).filter(name -> name.startsWith("csv-")).toList());
    }

    @Test
    public void csvFromASpreadsheetWithAByteOrderMarkAndWindowsLineEndsIsImported() throws Exception {
        Path csv = Files.write(work().resolve("excel.csv"), ("\uFEFF" + HEADER.strip() + ",site\r\n"
                + "bom-a,10.8.0.1,22,u," + KEY + ",\"Paris, 3rd floor\"\r\n\r\n").getBytes(StandardCharsets.UTF_8));

        ok("fleet:server-import --csv " + csv);

        Server imported = service(Inventory.class).requireServer("bom-a");
        assertEquals(URI.create("ssh://10.8.0.1:22"), imported.address());
        assertEquals("Paris, 3rd floor", imported.attributes().get("site"));
    }

    @Test
    public void simulatorNeverReplacesAServerItDidNotMake() throws Exception {
        Path csv = Files.writeString(work().resolve("real.csv"),
                HEADER + "real-01,10.7.0.1,22,deploy," + KEY + "\n");
        ok("fleet:server-import --csv " + csv);
        Inventory inventory = service(Inventory.class);
        Server real = inventory.requireServer("real-01");

        assertFails("fleet:sim-start --prefix real --version 1.2.3 2", "Server 'real-01' (ssh://10.7.0.1:22)");

        assertEquals(real, inventory.requireServer("real-01"));
        assertFalse("real-02 was not added", inventory.server("real-02").isPresent());
        assertEquals("no simulated real-* host runs", List.of(), simulator.hosts().stream()
                .map(SimulatedHost::name).filter(name -> name.startsWith("real-")).toList());
    }

    @Test
    public void unknownServerReleaseOrRolloutIsNamed() throws Exception {
        Path work = work();
        ok("fleet:release-add --product demo-app --version 2.0.0 " + release(work, "2.0.0"));
        Rollouts rollouts = service(Rollouts.class);
        List<String> before = rollouts.list().stream().map(Rollout::id).toList();
        assertFails("fleet:plan --release demo-app/9.9.9", "Unknown release demo-app/9.9.9");
        assertFails("fleet:plan --release demo-app/2.0.0 no-such-server", "Unknown server 'no-such-server'");
        assertFails("fleet:rollout-start --release demo-app/2.0.0 --yes no-such-server",
                "Unknown server 'no-such-server'");
        assertFails("fleet:plan --release demo-app", "PRODUCT/VERSION");
        assertFails("fleet:rollout-status nope", "Unknown rollout 'nope'");
        assertEquals("no rollout was made", before, rollouts.list().stream().map(Rollout::id).toList());
    }

    @Test
    public void malformedVersionNotAGzipAndConflictingBytesAreRefused() throws IOException {
        Path work = work();
        Path artifact = release(work, "3.0.0");
        Path text = Files.writeString(work.resolve("notes.tar.gz"), "these are release notes, not an archive\n");

        assertFails("fleet:release-add --product demo-app --version 3.x " + artifact, "3.x");
        assertFails("fleet:release-add --product demo-app --version 3.0.1 " + text, "not a gzip tar");
        ok("fleet:release-add --product demo-app --version 3.0.0 " + artifact);
        ok("fleet:release-add --product demo-app --version 3.0.0 " + artifact);
        assertFails("fleet:release-add --product demo-app --version 3.0.0 " + release(work, "3.0.2"),
                "other content");
        String releases = ok("fleet:release-list");
        assertFalse(releases.contains("3.x"));
        assertFalse(releases.contains("3.0.1"));
        assertEquals("3.0.0 is listed once", 1, releases.split("\\| 3\\.0\\.0 ", -1).length - 1);
    }

    @Test
    public void unknownHostKeyIsRefusedWithItsFingerprintUntilTrusted() throws Exception {
        Path work = work();
        ok("fleet:release-add --product demo-app --version 2.0.0 " + release(work, "2.0.0"));
        ok("fleet:sim-start --prefix key --version 1.2.3 1");
        SimulatedHost host = simulator.hosts().stream().filter(h -> h.name().startsWith("key-")).findFirst()
                .orElseThrow();
        Path key = host.root().getParent().resolve("client_key");
        // one record per login: the simulated host is known to the inventory through this import only
        assertTrue(service(Inventory.class).removeServer(host.name()));
        Path csv = Files.writeString(work.resolve("keyless.csv"),
                HEADER + "keyless,127.0.0.1," + host.port() + ",fleetup," + key + "\n");
        ok("fleet:server-import --csv " + csv);

        String plan = ok("fleet:plan --release demo-app/2.0.0 keyless");
        assertTrue(plan, plan.contains("UNREACHABLE") && plan.contains("fleet:server-trust"));
        Matcher fingerprint = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}").matcher(plan);
        assertTrue("the plan shows the fingerprint:\n" + plan, fingerprint.find());
        Result rollout = run("fleet:rollout-start --release demo-app/2.0.0 --yes --wait keyless");
        assertTrue(rollout.all(), rollout.failed() && rollout.error().getMessage().contains("keyless"));
        assertEquals("nothing changed", "releases/1.2.3", currentTarget(host.root()));
        assertFalse(Files.exists(host.root().resolve("demo-app/staging")));

        assertFails("fleet:server-trust keyless SHA256:not-a-fingerprint", "neither a SHA256 fingerprint");
        ok("fleet:server-trust keyless " + fingerprint.group());
        assertTrue(ok("fleet:plan --release demo-app/2.0.0 keyless").contains("UPGRADE"));
    }

    @Test
    public void unreachableServerIsAResultNotACrash() throws Exception {
        Path work = work();
        ok("fleet:release-add --product demo-app --version 2.0.0 " + release(work, "2.0.0"));
        ok("fleet:sim-start --prefix near --version 1.2.3 1");
        Path key = simulator.hosts().get(0).root().getParent().resolve("client_key");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Path csv = Files.writeString(work.resolve("gone.csv"), HEADER + "gone,127.0.0.1," + closedPort
                + ",fleetup," + key + "\n");
        ok("fleet:server-import --csv " + csv);
        String plan = ok("fleet:plan --release demo-app/2.0.0 gone");
        assertTrue(plan, plan.contains("UNREACHABLE") && plan.contains("Cannot reach gone"));
        List<String> inspected = List.of(ok("fleet:inspect --product demo-app gone").split("\n"));
        assertTrue(String.join("\n", inspected), inspected.stream().anyMatch(l -> l.contains("UNREACHABLE")));
    }
}
