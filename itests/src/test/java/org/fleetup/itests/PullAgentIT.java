package org.fleetup.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.awaitility.Awaitility;
import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.simulator.DemoApplication;
import org.junit.After;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Pull agents as real {@code java -jar fleetup-agent.jar pull} processes on 127.0.0.1, each with its own root, HOME
 * and MAC, against the distribution's patch server; judged by the agents' own files ({@code current}, its
 * {@code VERSION}, the state file) and by the registry. The tests share one release schedule, so they run in order.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class PullAgentIT extends FleetupTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(150);
    private static final String INTERVAL = "3s";

    private final List<PullAgentProcess> agents = new ArrayList<>();

    @Override
    @Configuration
    public Option[] config() {
        return OptionUtils.combine(super.config(), systemProperty("fleetup.agent.jar")
                .value(new File(System.getProperty("fleetup.agent.jar")).getAbsolutePath()));
    }

    @After
    public void stopAgents() throws InterruptedException {
        for (PullAgentProcess agent : agents) {
            agent.kill();
        }
    }

    private Path work() throws IOException {
        Path work = Files.createTempDirectory("fleetup-pull-it");
        String keyLine = ok("fleet:agent-key").lines().filter(line -> line.startsWith("ssh-ed25519 ")).findFirst()
                .orElseThrow();
        Files.writeString(work.resolve("trusted-controllers"), keyLine + "\n");
        return work;
    }

    private PullAgentProcess agent(Path work, String mac) throws IOException {
        PullAgentProcess agent = new PullAgentProcess(work.resolve(mac), mac, work.resolve("trusted-controllers"),
                INTERVAL);
        agents.add(agent);
        return agent;
    }

    private static String server() {
        return "http://127.0.0.1:" + System.getProperty(HTTP_PORT);
    }

    /** Adds {@code version} of the demo app to the store, once for the class. */
    private void released(Path work, String version, int fillerBytes) throws Exception {
        if (service(ReleaseStore.class).find(DemoApplication.PRODUCT, version).isEmpty()) {
            Path artifact = DemoApplication.writeRelease(version, work.resolve("demo-app-" + version + ".tar.gz"),
                    fillerBytes);
            ok("fleet:release-add --product demo-app --version " + version + " " + artifact);
        }
    }

    private Optional<PullAgentRecord> record(String mac) {
        try {
            return service(PullRegistry.class).agent(mac);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code GET /cxf/fleetup/api/v1/agents} as a viewer the distribution's own script adds. */
    private JsonNode restAgents() throws Exception {
        Path home = Path.of(System.getProperty("karaf.home"));
        String password = "a pull watcher's long password";
        Process init = new ProcessBuilder("/bin/sh", home.resolve("bin/fleetup-init").toString(), "--add-rest-user",
                "pullwatch", "viewer").redirectErrorStream(true).start();
        init.getOutputStream().write((password + "\n").getBytes(StandardCharsets.UTF_8));
        init.getOutputStream().close();
        String printed = new String(init.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(printed, init.waitFor(60, TimeUnit.SECONDS));
        assertEquals(printed, 0, init.exitValue());
        HttpRequest request = HttpRequest.newBuilder(URI.create(server() + "/cxf/fleetup/api/v1/agents?limit=500"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("pullwatch:" + password)
                        .getBytes(StandardCharsets.UTF_8))).timeout(WAIT).GET().build();
        HttpClient http = HttpClient.newHttpClient();
        String[] body = new String[1];
        // File Install hands the new user to JAAS on its own time.
        Awaitility.await("GET /agents answered").atMost(WAIT).until(() -> {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            body[0] = response.body();
            return response.statusCode() == 200;
        });
        return new ObjectMapper().readTree(body[0]);
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> nodes = new ArrayList<>();
        array.forEach(nodes::add);
        return nodes.stream();
    }

    @Test
    public void a_publishedReleaseIsTakenByEveryAgentAtItsTimeAndNotBefore() throws Exception {
        Path work = work();
        released(work, "2.0.0", DemoApplication.DEFAULT_FILLER_BYTES);
        Instant publishedAt = Instant.now().plusSeconds(25).truncatedTo(ChronoUnit.SECONDS);
        ok("fleet:release-schedule --at " + publishedAt + " demo-app/2.0.0");
        for (int i = 1; i <= 5; i++) {
            agent(work, "02-00-00-00-00-0" + i).start(server());
        }

        // Every agent checked and was told to come back at the published time (its log says so): nothing taken
        // before it.
        Awaitility.await("five agents registered").atMost(WAIT).until(() -> {
            for (PullAgentProcess agent : agents) {
                Optional<PullAgentRecord> record = record(agent.mac);
                if (record.isEmpty() || record.get().nextCheck() == null || !agent.log().contains("Nothing newer at "
                        + server() + "; a release is published at " + publishedAt)) {
                    return false;
                }
            }
            return true;
        });
        assertTrue("the agents registered before the published time; raise its lead if this machine is slow",
                Instant.now().isBefore(publishedAt));
        for (PullAgentProcess agent : agents) {
            assertEquals(agent.log(), "releases/1.4.2", agent.current());
            assertEquals("1.4.2", record(agent.mac).orElseThrow().version());
        }

        // After it, all take it: their own files say so, and the switch came after the published time.
        for (PullAgentProcess agent : agents) {
            Awaitility.await(agent.mac + " on 2.0.0").atMost(WAIT)
                    .until(() -> "releases/2.0.0".equals(agent.current()) || !agent.alive());
            assertEquals(agent.log(), "2.0.0", agent.version());
            assertTrue(agent.switchedAt() + " is before " + publishedAt, !agent.switchedAt().isBefore(publishedAt));
        }
        // The registry shows every agent and the version it runs, from their next checks.
        Awaitility.await("the registry shows 2.0.0 everywhere").atMost(WAIT).until(() -> {
            for (PullAgentProcess agent : agents) {
                if (!"2.0.0".equals(record(agent.mac).orElseThrow().version())) {
                    return false;
                }
            }
            return true;
        });
        JsonNode rest = restAgents();
        for (PullAgentProcess agent : agents) {
            assertTrue(rest.toString(), stream(rest.get("items")).anyMatch(item -> agent.mac.equals(item.get("mac")
                    .asText()) && "2.0.0".equals(item.get("version").asText())));
        }
        String list = ok("fleet:agent-list");
        for (PullAgentProcess agent : agents) {
            assertTrue(list, list.lines().anyMatch(line -> line.contains(agent.mac) && line.contains("2.0.0")
                    && line.contains("done")));
            Awaitility.await("the state file of " + agent.mac).atMost(WAIT)
                    .until(() -> "2.0.0".equals(agent.state().getProperty("applied")));
        }
        // The publication is a rollout like any other: its servers are the agents, marked pull, upgraded; the plan
        // lists them with the servers.
        String rollout = service(PullRegistry.class).scheduled(DemoApplication.PRODUCT).orElseThrow().rollout();
        Awaitility.await("the rollout finished").atMost(WAIT)
                .until(() -> ok("fleet:rollout-list").lines().anyMatch(line -> line.contains(rollout)
                        && line.contains("FINISHED")));
        String status = ok("fleet:rollout-status " + rollout);
        String plan = ok("fleet:plan --release demo-app/2.0.0");
        for (PullAgentProcess agent : agents) {
            assertTrue(status, status.lines().anyMatch(line -> line.contains("pull:" + agent.mac)
                    && line.contains("upgraded")));
            assertTrue(plan, plan.lines().anyMatch(line -> line.contains("pull:" + agent.mac)
                    && line.contains("CURRENT") && line.contains("pull agent, next check at")));
        }
    }

    @Test
    public void b_movedAddressIsFollowedAndRememberedAcrossARestart() throws Exception {
        Path work = work();
        released(work, "2.0.0", DemoApplication.DEFAULT_FILLER_BYTES);
        String moved = "http://localhost:" + System.getProperty(HTTP_PORT);
        ok("fleet:agent-redirect --to " + moved + " --mac 02:00:00:00:00:06");
        PullAgentProcess agent = agent(work, "02-00-00-00-00-06").start(server());

        Awaitility.await("the move stored").atMost(WAIT)
                .until(() -> moved.equals(agent.state().getProperty("server")));
        Awaitility.await("a check at the new address").atMost(WAIT)
                .until(() -> record(agent.mac).map(r -> moved.equals(r.server())).orElse(false));
        agent.kill();
        Instant restarted = Instant.now();
        agent.start(server());

        // Started with the old --server, it checks at the address it kept.
        Awaitility.await("a check after the restart").atMost(WAIT).until(() -> record(agent.mac)
                .map(r -> r.lastCheck().isAfter(restarted)).orElse(false));
        assertEquals(moved, record(agent.mac).orElseThrow().server());
        assertTrue(agent.log(), agent.log().contains("fleetup-agent pull 02-00-00-00-00-06 checking " + moved));
        assertEquals(moved, agent.state().getProperty("server"));
    }

    @Test
    public void c_brokenReleaseIsRolledBackByTheAgentAndReported() throws Exception {
        Path work = work();
        released(work, "2.0.0", DemoApplication.DEFAULT_FILLER_BYTES);
        ok("fleet:release-schedule demo-app/2.0.0");
        PullAgentProcess agent = agent(work, "02-00-00-00-00-07");
        Path hook = agent.work.resolve("home").resolve(DemoApplication.HEALTH_HOOK);
        Files.createDirectories(hook.getParent());
        Files.writeString(hook, "if [ \"$demo_app_version\" = 2.0.0 ]; then echo broken >&2; exit 1; fi\n");
        agent.start(server());

        Awaitility.await("the rollback reported").atMost(WAIT).until(() -> record(agent.mac)
                .map(r -> "rolled-back".equals(r.status())).orElse(false) || !agent.alive());
        PullAgentRecord record = record(agent.mac).orElseThrow();
        assertEquals("2.0.0", record.failedVersion());
        assertEquals(agent.log(), "releases/1.4.2", agent.current());
        assertEquals("1.4.2", agent.version());
        assertTrue(agent.log(), agent.log().contains("rolled-back"));
        // The next check is told nothing is newer: the failed release is not offered again.
        Instant after = Instant.now();
        Awaitility.await("a check after the rollback").atMost(WAIT).until(() -> record(agent.mac)
                .map(r -> r.lastCheck().isAfter(after)).orElse(false));
        assertEquals("releases/1.4.2", agent.current());
        assertTrue(ok("fleet:agent-list").lines().anyMatch(line -> line.contains(agent.mac)
                && line.contains("rolled-back")));
    }

    @Test
    public void d_agentKilledMidDownloadResumesIt() throws Exception {
        Path work = work();
        released(work, "3.0.0", 96 * 1024 * 1024);
        ok("fleet:release-schedule demo-app/3.0.0");
        PullAgentProcess agent = agent(work, "02-00-00-00-00-09").start(server());
        Path downloads = agent.state.getParent().resolve("agent-downloads");

        long[] had = new long[1];
        Awaitility.await("a download under way").atMost(WAIT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(2)).until(() -> {
                    try (var files = Files.list(downloads)) {
                        Optional<Path> part = files.filter(f -> f.toString().endsWith(".part")).findFirst();
                        had[0] = part.isPresent() ? Files.size(part.get()) : 0;
                        return had[0] > 0;
                    } catch (IOException e) {
                        return false;
                    }
                });
        agent.kill();
        assertEquals("releases/1.4.2", agent.current());
        agent.start(server());

        Awaitility.await("3.0.0 installed").atMost(WAIT)
                .until(() -> "releases/3.0.0".equals(agent.current()) || !agent.alive());
        assertEquals(agent.log(), "3.0.0", agent.version());
        assertTrue(agent.log(), agent.log().contains("resuming the download at byte"));
        assertTrue(agent.log(), agent.log().contains("(left by an earlier run)"));
    }

    @Test
    public void e_failuresReachingTheThresholdStopTheOfferToTheNextWave() throws Exception {
        Path work = work();
        released(work, "3.1.0", DemoApplication.DEFAULT_FILLER_BYTES);
        // Published once the agents of the earlier tests, stopped, are late: they are not expected, and are not in the
        // rollout's waves (they would join when they came back). Published ahead of its time, and again once the four
        // agents of this test have registered (told to come back at that time, and so expected): the second
        // publication puts them in its two waves before the first opens. Max errors 2, so that the first wave stops
        // the rollout however its two agents' checks interleave (with 1, the first to fail halts the wave before the
        // other's check).
        Awaitility.await("the stopped agents late").atMost(WAIT).until(() -> service(PullRegistry.class).agents()
                .stream().allMatch(agent -> agent.nextCheck() == null || agent.nextCheck().isBefore(Instant.now())));
        Instant publishedAt = Instant.now().plusSeconds(25).truncatedTo(ChronoUnit.SECONDS);
        String publish = "fleet:release-schedule --at " + publishedAt + " --wave-size 2 --max-errors 2 demo-app/3.1.0";
        ok(publish);
        for (int i = 0; i < 4; i++) {
            PullAgentProcess agent = agent(work, "02-00-00-00-01-0" + i);
            Path hook = agent.work.resolve("home").resolve(DemoApplication.HEALTH_HOOK);
            Files.createDirectories(hook.getParent());
            Files.writeString(hook, "if [ \"$demo_app_version\" = 3.1.0 ]; then echo broken >&2; exit 1; fi\n");
            agent.start(server());
        }
        for (PullAgentProcess agent : agents) {
            Awaitility.await(agent.mac + " registered").atMost(WAIT).until(() -> record(agent.mac).isPresent());
        }
        ok(publish);
        String rolloutId = service(PullRegistry.class).scheduled(DemoApplication.PRODUCT).orElseThrow().rollout();
        assertEquals("the four in the rollout's waves before its time", 4,
                service(Rollouts.class).servers(rolloutId).size());

        // The first wave, two agents, takes it and fails: the rollout pauses there.
        Awaitility.await("the first wave rolled back").atMost(WAIT).until(() -> agents.stream()
                .filter(agent -> record(agent.mac).map(r -> "3.1.0".equals(r.failedVersion())).orElse(false))
                .count() == 2);
        Instant stopped = Instant.now();
        for (PullAgentProcess agent : agents) {
            Awaitility.await(agent.mac + " checked after the stop").atMost(WAIT).until(() -> record(agent.mac)
                    .map(r -> r.lastCheck().isAfter(stopped.plusSeconds(4))).orElse(false));
        }
        long offered = 0;
        for (PullAgentProcess agent : agents) {
            assertEquals(agent.log(), "releases/1.4.2", agent.current());
            offered += "3.1.0".equals(record(agent.mac).orElseThrow().offeredVersion()) ? 1 : 0;
        }
        assertEquals("offered to the first wave only", 2, offered);
        // Its rollout paused on wave 1's max errors, and says which agents failed to get what.
        String rollout = service(PullRegistry.class).scheduled(DemoApplication.PRODUCT).orElseThrow().rollout();
        assertTrue(ok("fleet:rollout-list"), ok("fleet:rollout-list").lines().anyMatch(line -> line.contains(rollout)
                && line.contains("PAUSED")));
        String status = ok("fleet:rollout-status " + rollout);
        assertEquals(status, 2, status.lines().filter(line -> line.startsWith("pull:02-00-00-00-01-0")
                && line.contains("rolled-back")).count());
        String notice = status.lines().filter(line -> line.startsWith("Did not get demo-app/3.1.0: ")).findFirst()
                .orElseThrow(() -> new AssertionError(status));
        assertEquals(notice, 2, notice.split("pull:02-00-00-00-01-0", -1).length - 1);
    }
}
