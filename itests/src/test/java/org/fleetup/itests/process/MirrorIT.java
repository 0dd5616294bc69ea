package org.fleetup.itests.process;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.fleetup.itests.PullAgentProcess;
import org.fleetup.simulator.DemoApplication;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A primary and a mirror: the distribution unpacked twice, each with its own ports, etc/ and data/, started as
 * processes and stopped by their handles. The mirror trusts the primary's key (etc/org.fleetup.mirror.cfg), the
 * primary adds the mirror with the mirror's key pinned. Judged by the mirror's store files (by hash), the pull agents'
 * own files and logs (real {@code fleetup-agent.jar pull} processes pointed at the mirror, or moved there), the
 * primary's registry, its log, {@code fleet:mirror-list} and the REST API.
 */
public class MirrorIT {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ControllerProcess primary;
    private ControllerProcess mirror;
    private final List<PullAgentProcess> agents = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Stream<String> eventStream;

    @After
    public void stopEverything() throws InterruptedException {
        if (eventStream != null) {
            eventStream.close();
        }
        for (PullAgentProcess agent : agents) {
            agent.kill();
        }
        for (ControllerProcess controller : new ControllerProcess[] {mirror, primary}) {
            if (controller != null) {
                controller.close();
            }
        }
    }

    private static String agentJar() {
        return Path.of(System.getProperty("fleetup.agent.jar")).toAbsolutePath().toString();
    }

    /** The instance's controller key made before its first start (as fleetup-agent.jar keygen makes one): its line. */
    private static String keygen(ControllerProcess controller) throws Exception {
        Path prefix = controller.home().resolve("etc/fleetup-controller");
        Process keygen = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", agentJar(), "keygen", "--out", prefix.toString()).redirectErrorStream(true).start();
        String printed = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(printed, keygen.waitFor(60, TimeUnit.SECONDS));
        assertEquals(printed, 0, keygen.exitValue());
        return Files.readString(Path.of(prefix + ".pub")).strip();
    }

    /** Settings written before the first start: the feature's commented file is then not installed over them. */
    private static void configure(ControllerProcess controller, String settings) throws IOException {
        Files.writeString(controller.home().resolve("etc/org.fleetup.mirror.cfg"), "\n" + settings + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String sha256(Path file) throws Exception {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        }
    }

    private static String line(String listing, String contains) {
        return listing.lines().filter(text -> text.contains(contains)).findFirst().orElse("");
    }

    @Test
    public void aMirrorServesItsAgentsTheReplicatedReleaseAndThePrimaryMergesThemAndRaisesTheOverdueAlarm()
            throws Exception {
        Path dir = temp.getRoot().toPath();
        primary = ControllerProcess.unpack(dir.resolve("primary"));
        mirror = ControllerProcess.unpack(dir.resolve("mirror"));
        String primaryKey = keygen(primary);
        String mirrorKey = keygen(mirror);
        // The mirror trusts the primary's writes; the primary syncs every 2 s and calls a release overdue 2 s late.
        Files.writeString(mirror.home().resolve("etc/fleetup-primaries.pub"), primaryKey + "\n");
        configure(mirror, "primaryKeys = fleetup-primaries.pub");
        configure(primary, "syncIntervalSeconds = 2\nretryMinSeconds = 1\noverdueGraceSeconds = 2");
        CompletableFuture<ControllerProcess> mirrorStarted = CompletableFuture.supplyAsync(() -> {
            try {
                return mirror.start();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the mirror started", e);
            }
        });
        primary.start();
        mirrorStarted.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        Path artifact = DemoApplication.writeRelease("2.0.0", dir.resolve("demo-app-2.0.0.tar.gz"));
        String sha = sha256(artifact);
        primary.ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);
        String added = primary.ok("fleet:mirror-add --key '" + mirrorKey + "' east " + mirror.url());
        assertTrue(added, added.contains("Mirror east added"));

        // Replicated: the mirror's store holds the blob under its hash, with those bytes.
        Path blob = mirror.home().resolve("data/releases/blobs").resolve(sha.substring(0, 2)).resolve(sha);
        Awaitility.await("the blob " + sha + " on the mirror").atMost(WAIT).until(() -> Files.exists(blob)
                && line(mirror.ok("fleet:release-list"), "2.0.0").contains("demo-app"));
        assertEquals(sha, sha256(blob));

        // Published a little ahead; two agents of the mirror: A first comes to the primary and is moved to the
        // mirror, B goes to the mirror at once. Both trust the mirror's key, which signs the mirror's offers.
        Instant publishedAt = Instant.now().plusSeconds(20).truncatedTo(ChronoUnit.SECONDS);
        primary.ok("fleet:release-schedule --at " + publishedAt + " demo-app/2.0.0");
        Path trust = Files.writeString(dir.resolve("trusted-controllers"), mirrorKey + "\n");
        PullAgentProcess a = new PullAgentProcess(dir.resolve("agent-a"), "02-00-00-00-0a-01", trust, "2s");
        PullAgentProcess b = new PullAgentProcess(dir.resolve("agent-b"), "02-00-00-00-0b-01", trust, "2s");
        agents.add(a);
        agents.add(b);
        primary.ok("fleet:agent-redirect --to " + mirror.url() + " --mac " + a.mac);
        a.start(primary.url());
        b.start(mirror.url());

        // The schedule reached the mirror: it tells both agents the primary's time, and nothing is taken before it.
        String told = "Nothing newer at " + mirror.url() + "; a release is published at " + publishedAt;
        Awaitility.await("both agents told the time by the mirror").atMost(WAIT)
                .until(() -> a.log().contains(told) && b.log().contains(told));
        assertTrue("the agents checked before the published time; raise its lead if this machine is slow",
                Instant.now().isBefore(publishedAt));
        assertTrue(line(primary.ok("fleet:agent-list"), a.mac), line(primary.ok("fleet:agent-list"), a.mac)
                .contains("1.4.2"));
        // B cannot take it: it is stopped before the time.
        b.kill();
        assertEquals("releases/1.4.2", b.current());

        // A takes it from the mirror after the time; the primary, which saw A on 1.4.2, takes 2.0.0 from the mirror
        // (merged by MAC), and learns B from the mirror alone.
        Awaitility.await("A on 2.0.0").atMost(WAIT).until(() -> "releases/2.0.0".equals(a.current())
                || !a.alive());
        assertEquals(a.log(), "releases/2.0.0", a.current());
        assertTrue(a.log(), a.log().contains("moved to " + mirror.url()) && a.log().contains("offered by "
                + mirror.url()));
        Awaitility.await("the primary merged the mirror's records").atMost(WAIT).until(() -> {
            String list = primary.ok("fleet:agent-list");
            return line(list, a.mac).contains("2.0.0") && line(list, b.mac).contains("1.4.2");
        });

        // B still runs 1.4.2 past the time and its grace: the primary raises the overdue alarm.
        Awaitility.await("the overdue alarm").atMost(WAIT)
                .until(() -> line(primary.ok("fleet:mirror-list"), "east").contains("OVERDUE demo-app/2.0.0"));
        assertTrue(primary.log(), primary.log().contains("ALARM: release demo-app/2.0.0 is overdue on mirror east"));
        String viewer = restViewer();
        String alarms = restAlarms(viewer);
        assertTrue(alarms, alarms.contains("\"mirror\":\"east\"") && alarms.contains("\"version\":\"2.0.0\""));
        List<String> events = new CopyOnWriteArrayList<>();
        eventStream = alarmEvents(viewer, events);
        Awaitility.await("the raised event").atMost(WAIT).until(() -> events.stream()
                .anyMatch(text -> text.startsWith("event") && text.contains("raised")));
        String listed = primary.ok("fleet:mirror-list");
        assertTrue(listed, line(listed, "east").contains("in-sync") || line(listed, "east").contains("syncing"));

        // The operator sets a new time: it goes to the mirror and clears the alarm; B, back, is told the new time.
        Instant newTime = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS);
        primary.ok("fleet:release-schedule --at " + newTime + " demo-app/2.0.0");
        Awaitility.await("the alarm cleared").atMost(WAIT)
                .until(() -> !primary.ok("fleet:mirror-list").contains("OVERDUE"));
        Awaitility.await("the cleared event").atMost(WAIT).until(() -> events.stream()
                .anyMatch(text -> text.startsWith("event") && text.contains("cleared")));
        assertTrue(line(primary.ok("fleet:alarm-list --all"), "east").contains("demo-app/2.0.0"));
        assertTrue(primary.ok("fleet:alarm-list").lines().noneMatch(text -> text.contains("east")));
        b.start(mirror.url());
        String toldAgain = "Nothing newer at " + mirror.url() + "; a release is published at " + newTime;
        Awaitility.await("B told the new time by the mirror").atMost(WAIT).until(() -> b.log().contains(toldAgain));
        assertEquals("releases/1.4.2", b.current());
    }

    /** A viewer the distribution's own script adds: its Authorization header. */
    private String restViewer() throws Exception {
        String password = "a mirror watcher's long password";
        Process init = new ProcessBuilder("/bin/sh", primary.home().resolve("bin/fleetup-init").toString(),
                "--add-rest-user", "mirrorwatch", "viewer").redirectErrorStream(true).start();
        init.getOutputStream().write((password + "\n").getBytes(StandardCharsets.UTF_8));
        init.getOutputStream().close();
        String printed;
        try (InputStream out = init.getInputStream()) {
            printed = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(printed, init.waitFor(60, TimeUnit.SECONDS));
        assertEquals(printed, 0, init.exitValue());
        return "Basic " + Base64.getEncoder().encodeToString(("mirrorwatch:" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** {@code GET /cxf/fleetup/api/v1/mirrors/alarms?all=true}. */
    private String restAlarms(String authorization) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(primary.url()
                        + "/cxf/fleetup/api/v1/mirrors/alarms?all=true"))
                .header("Authorization", authorization).timeout(WAIT).GET().build();
        String[] body = new String[1];
        // File Install hands the new user to JAAS on its own time.
        Awaitility.await("GET /mirrors/alarms answered").atMost(WAIT).until(() -> {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            body[0] = response.body();
            return response.statusCode() == 200;
        });
        return body[0];
    }

    /** {@code GET /cxf/fleetup/api/v1/mirrors/alarms/events}: its lines, gathered as they come. */
    private Stream<String> alarmEvents(String authorization, List<String> lines) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(primary.url()
                        + "/cxf/fleetup/api/v1/mirrors/alarms/events"))
                .header("Authorization", authorization).header("Accept", "text/event-stream").GET().build();
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        Stream<String> stream = response.body();
        CompletableFuture.runAsync(() -> stream.forEach(lines::add));
        return stream;
    }
}
