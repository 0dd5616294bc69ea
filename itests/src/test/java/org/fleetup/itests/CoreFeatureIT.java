package org.fleetup.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.karaf.features.BundleInfo;
import org.apache.karaf.features.Dependency;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.fleetup.api.inventory.Inventory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;

/**
 * The core of Fleetup reaches servers through no particular transport: its feature, with every Fleetup feature it
 * pulls in, installs no SSH library, and none of its bundles imports one. The SSH and SFTP transports bring MINA SSHD
 * and their shared SSH client themselves, with the known_hosts reader the import uses.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CoreFeatureIT extends FleetupTestSupport {

    private static final String SSH_LIBRARY = "org.apache.sshd";
    private static final String MIRRORS = "org.fleetup.patch.internal.MirrorComponent";

    @Test
    public void theCoreFeatureInstallsAndImportsNoSshLibrary() throws Exception {
        FeaturesService features = service(FeaturesService.class);
        List<String> bundles = new ArrayList<>();
        Deque<Feature> pending = new ArrayDeque<>(List.of(features.getFeature("fleetup-core")));
        while (!pending.isEmpty()) {
            Feature feature = pending.pop();
            feature.getBundles().stream().map(BundleInfo::getLocation).forEach(bundles::add);
            for (Dependency dependency : feature.getDependencies()) {
                if (dependency.getName().startsWith("fleetup")) {
                    pending.push(features.getFeature(dependency.getName()));
                }
            }
        }
        assertTrue(bundles.toString(), bundles.stream().anyMatch(location -> location.contains("fleetup-shell")));
        assertEquals(List.of(), bundles.stream().filter(location -> location.contains(SSH_LIBRARY)).toList());

        List<String> importers = new ArrayList<>();
        for (String location : bundles) {
            Bundle bundle = bundleContext.getBundle(location);
            assertNotNull(location + " is installed", bundle);
            String imports = bundle.getHeaders().get(Constants.IMPORT_PACKAGE);
            if (imports != null && imports.contains(SSH_LIBRARY)) {
                importers.add(bundle.getSymbolicName());
            }
        }
        assertEquals("core bundles importing MINA SSHD", List.of(), importers);
    }

    @Test
    public void aKnownHostsFileIsReadByTheSshTransport() throws Exception {
        // Both transports over SSH share the client that reads it: without either, no known_hosts is read.
        features(features -> features.uninstallFeature("fleetup-transport-sftp"));
        features(features -> features.uninstallFeature("fleetup-transport-ssh"));
        // the SSH transport refuses a key file that does not exist: this one does, though it is never read
        Path keyFile = Files.createTempFile("kh-01", ".key");
        Path csv = Files.writeString(Files.createTempFile("servers", ".csv"),
                "name,host,port,user,keyfile\nkh-01,127.0.0.1,22,fleet," + keyFile + "\n");
        Path knownHosts = Files.writeString(Files.createTempFile("known_hosts", ""), "");
        Result refused = run("fleet:server-import --csv " + csv + " --known-hosts " + knownHosts);
        assertTrue(refused.all(), refused.failed()
                && refused.error().getMessage().contains("feature:install fleetup-transport-ssh"));
        assertTrue("nothing imported", ok("fleet:server-list").lines().noneMatch(line -> line.contains("kh-01")));

        features(features -> features.installFeature("fleetup-transport-ssh"));
        ok("fleet:server-import --csv " + csv + " --known-hosts " + knownHosts);
        assertTrue(ok("fleet:server-list").contains("kh-01"));
    }

    @Test
    public void eachTransportAndThePatchServerGoOnWhenAnotherIsRemoved() throws Exception {
        for (String feature : List.of("fleetup-transport-ssh", "fleetup-transport-sftp", "fleetup-transport-http")) {
            features(features -> features.installFeature(feature));
        }
        // The SFTP transport shares the SSH transport's client, not the transport: it serves without it.
        features(features -> features.uninstallFeature("fleetup-transport-ssh"));
        String list = ok("fleet:transport-list");
        assertTrue(list, list.lines().anyMatch(line -> line.matches("sftp +\\| fleetup-transport-sftp .*")));
        assertTrue(list, list.lines().noneMatch(line -> line.contains("fleetup-transport-ssh")));

        // The patch server signs with the push transport's key and serves artifacts alike, without that transport.
        features(features -> features.uninstallFeature("fleetup-transport-http"));
        assertTrue(ok("fleet:transport-list").lines().noneMatch(line -> line.contains("fleetup-transport-http")));
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest check = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + System.getProperty(HTTP_PORT)
                + "/cxf/fleetup/ddi/v1/agents/02:00:00:00:00:01/check")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("not a check")).build();
        HttpResponse<String> answer = await("the patch server answers").atMost(Duration.ofSeconds(60))
                .until(() -> client.send(check, HttpResponse.BodyHandlers.ofString()), a -> a.statusCode() != 404);
        assertEquals(answer.body(), 400, answer.statusCode());
        assertTrue(answer.body(), answer.body().contains("The check does not parse"));

        features(features -> features.installFeature("fleetup-transport-ssh"));
        features(features -> features.installFeature("fleetup-transport-http"));
    }

    /**
     * ./fleetup start waits for data/console.ready before it logs in: it names this JVM while the fleet commands run,
     * and goes with them when a service they need goes.
     */
    @Test
    public void theConsoleReadyFileNamesThisJvmWhileTheFleetCommandsRun() throws Exception {
        Path marker = Path.of(System.getProperty("karaf.data"), "console.ready");
        String pid = Long.toString(ProcessHandle.current().pid());
        ok("fleet:transport-list");
        await("console.ready").atMost(Duration.ofSeconds(60))
                .until(() -> Files.exists(marker) && Files.readString(marker).strip().equals(pid));

        // the bundle of the rollout engine, which every rollout command needs
        Bundle routes = Arrays.stream(bundleContext.getBundles())
                .filter(bundle -> "fleetup-routes".equals(bundle.getSymbolicName())).findFirst().orElseThrow();
        routes.stop();
        try {
            await("console.ready gone").atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(marker));
            assertNull(sessionFactory.getRegistry().getCommand("fleet", "transport-list"));
        } finally {
            routes.start();
        }
        await("console.ready again").atMost(Duration.ofSeconds(60))
                .until(() -> Files.exists(marker) && Files.readString(marker).strip().equals(pid));
        assertTrue(ok("fleet:transport-list").contains("fleetup-transport"));
    }

    /**
     * The patch server's bundle declares fleet: commands of its own (fleet:agent-list), which Karaf registers when that
     * bundle's services come, after the shell's or before: console.ready waits for them too, so that a script that
     * lists the pull agents right after ./fleetup start finds the command.
     */
    @Test
    public void theConsoleReadyFileWaitsForTheFleetCommandsOfEveryBundleThatRuns() throws Exception {
        Path marker = Path.of(System.getProperty("karaf.data"), "console.ready");
        await("console.ready").atMost(Duration.ofSeconds(60)).until(() -> Files.exists(marker));
        Bundle routes = bundle("fleetup-routes");
        // The mirrors' component provides a service the bundle's commands need: without it, the bundle runs and its
        // commands wait, as they do at a start until the mirror API is published.
        ok("scr:disable " + MIRRORS);
        try {
            await("fleet:agent-list gone").atMost(Duration.ofSeconds(60))
                    .until(() -> sessionFactory.getRegistry().getCommand("fleet", "agent-list") == null);
            routes.stop();
            await("console.ready gone").atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(marker));
            routes.start();
            await("the shell's commands back").atMost(Duration.ofSeconds(60))
                    .until(() -> sessionFactory.getRegistry().getCommand("fleet", "transport-list") != null);
            // Nothing to await but an absence: the file used to come within 10 ms of the shell's commands.
            await("no console.ready without fleet:agent-list").during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(marker));
        } finally {
            routes.start();
            ok("scr:enable " + MIRRORS);
        }
        await("console.ready with every fleet command").atMost(Duration.ofSeconds(60)).until(() -> Files.exists(marker));
        assertNotNull(sessionFactory.getRegistry().getCommand("fleet", "agent-list"));
        assertTrue(ok("fleet:agent-list").contains("MAC"));
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(bundleContext.getBundles()).filter(bundle -> symbolicName.equals(bundle.getSymbolicName()))
                .findFirst().orElseThrow();
    }

    @Test
    public void theInventoryIsTheEmbeddedH2FileOfTheShippedDataSourceWithItsCrashSafeSettings() throws Exception {
        // The DataSource pax-jdbc-config makes from etc/org.ops4j.datasource-fleetup.cfg, which the inventory takes.
        DataSource dataSource = service(DataSource.class, "(dataSourceName=fleetup)");
        Inventory inventory = service(Inventory.class);
        inventory.audit("test", "touch", null);
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet settings = statement.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM"
                     + " INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME IN ('QUERY_CACHE_SIZE', 'WRITE_DELAY')")) {
            assertEquals("H2", connection.getMetaData().getDatabaseProductName());
            assertEquals("jdbc:h2:file:" + Path.of(System.getProperty("karaf.data"), "inventory", "fleetup"),
                    connection.getMetaData().getURL());
            Map<String, String> values = new HashMap<>();
            while (settings.next()) {
                values.put(settings.getString(1), settings.getString(2));
            }
            // the statements a rollout's workers share stay parsed; a commit is in the file when it returns
            assertEquals(Map.of("QUERY_CACHE_SIZE", "64", "WRITE_DELAY", "0"), values);
        }
        assertTrue(Files.isRegularFile(Path.of(System.getProperty("karaf.data"), "inventory", "fleetup.mv.db")));
    }
}
