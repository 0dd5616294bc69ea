package org.fleetup.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.SimulatedHost;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The REST API of the real distribution, driven as a client drives it: java.net.http over HTTP basic, users made by
 * bin/fleetup-init, a simulated fleet upgraded by a plan and a rollout started over REST and followed by its
 * server-sent events, judged from the servers' own files.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RestApiIT extends FleetupTestSupport {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String ADMIN = "ops";
    private static final String ADMIN_PASSWORD = "an admin's long password";
    private static final String VIEWER = "watcher";
    private static final String VIEWER_PASSWORD = "a viewer's long password";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /**
     * The operator's way to make REST users: bin/fleetup-init, the password on stdin. Then waits for the API: CXF
     * answers "No service was found" (404) until the REST component has published it, on its own time after boot.
     */
    @Before
    public void restUsersAndTheApiPublished() throws IOException, InterruptedException {
        addRestUser(ADMIN, "admin", ADMIN_PASSWORD);
        addRestUser(VIEWER, "viewer", VIEWER_PASSWORD);
        await("the REST API published").atMost(60, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
                .until(() -> send(viewer("/transports").GET().build()).statusCode() == 200);
    }

    @Test
    public void everyRequestLogsInAndAViewerOnlyReads() throws Exception {
        HttpResponse<String> anonymous = send(request("/servers").GET().build());
        assertError(anonymous, 401, "fleetup.auth.unauthenticated");
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic "));
        assertError(send(as(ADMIN, "not the password", request("/servers")).GET().build()), 401,
                "fleetup.auth.unauthenticated");

        assertEquals(200, send(viewer("/servers").GET().build()).statusCode());
        int rolloutsBefore = body(send(viewer("/rollouts").GET().build())).get("total").asInt();
        HttpResponse<String> viewerStarts = send(viewer("/rollouts").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"product\": \"demo-app\", \"version\": \"2.0.0\"}"))
                .build());
        assertError(viewerStarts, 403, "fleetup.auth.forbidden");
        assertEquals("a refused start starts nothing", rolloutsBefore,
                body(send(viewer("/rollouts").GET().build())).get("total").asInt());

        // The console's own user is an admin of the API too.
        runFleetupInit("the console's long password\n", "--set-password");
        assertError(send(as("karaf", "the console's long password", request("/plans"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"product\": \"demo-app\", \"version\": \"9.9.9\"}"))
                .build()), 404, "fleetup.release.notFound");

        String log = Files.readString(Path.of(System.getProperty("karaf.data"), "log", "karaf.log"));
        for (String secret : List.of(ADMIN_PASSWORD, VIEWER_PASSWORD, "not the password",
                "the console's long password",
                basic(ADMIN, "not the password"), basic(VIEWER, VIEWER_PASSWORD))) {
            assertFalse("the log holds a secret: " + secret, log.contains(secret));
        }
    }

    @Test
    public void badInputIsAJsonErrorWithItsStatusAndChangesNothing() throws Exception {
        for (String query : List.of("limit=0", "limit=501", "limit=ten", "offset=-1", "sort=colour:ASC",
                "sort=name:UP")) {
            assertError(send(viewer("/servers?" + query).GET().build()), 400, "fleetup.input.invalid");
            assertError(send(viewer("/rollouts?" + query.replace("name", "createdAt")).GET().build()), 400,
                    "fleetup.input.invalid");
        }
        assertError(send(admin("/plans").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"product\": demo-app")).build()), 400,
                "fleetup.input.invalid");
        assertError(send(admin("/rollouts").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"product\": \"demo-app\", \"colour\": 1}")).build()),
                400, "fleetup.input.invalid");
        assertError(send(admin("/plans").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"product\": \"demo-app\", \"version\": \"9.9.9\"}"))
                .build()), 404, "fleetup.release.notFound");
        assertError(send(viewer("/rollouts/no-such-rollout").GET().build()), 404, "fleetup.rollout.notFound");
        assertError(send(viewer("/rollouts/no-such-rollout/events").header("Accept", "text/event-stream").GET()
                .build()), 404, "fleetup.rollout.notFound");
        HttpResponse<String> badCsv = send(admin("/servers").header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("name,host\nbad,127.0.0.1\n")).build());
        assertError(badCsv, 400, "fleetup.server.invalid");
        assertTrue(badCsv.body(), body(badCsv).get("message").asText().contains("no column 'port'"));
        // Each server's transport judges its settings: an agent takes no key file, an SSH login needs one that exists.
        Path keyFile = Files.createTempFile("rest-key", "");
        HttpResponse<String> keyOnAgent = send(admin("/servers").header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("name,address,user,keyfile\n"
                        + "rest-ssh,ssh://127.0.0.1:22,deploy," + keyFile + "\n"
                        + "rest-agent,http://127.0.0.1:9,," + keyFile + "\n")).build());
        assertError(keyOnAgent, 400, "fleetup.server.invalid");
        String refusal = body(keyOnAgent).get("message").asText();
        assertTrue(refusal, refusal.contains("Line 3") && refusal.contains("rest-agent")
                && refusal.contains("'keyfile'") && refusal.contains("http transport does not take"));
        HttpResponse<String> missingKey = send(admin("/servers").header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("name,address,user,keyfile\n"
                        + "rest-ssh,ssh://127.0.0.1:22,deploy," + keyFile + ".absent\n")).build());
        assertError(missingKey, 400, "fleetup.server.invalid");
        assertTrue(missingKey.body(),
                body(missingKey).get("message").asText().contains("not a file on the controller"));
        assertTrue("nothing imported", service(Inventory.class).server("rest-ssh").isEmpty());

        // The schemes of the three transports the distribution boots (the agents' serves http and https), sorted.
        JsonNode transports = body(send(viewer("/transports").GET().build())).get("items");
        assertEquals(List.of("http", "https", "sftp", "ssh"), transports.findValuesAsText("scheme"));
        // Each with its bundle's version and how many servers use its scheme, as fleet:transport-list shows them.
        Map<String, Integer> servers = service(Inventory.class).serversByScheme();
        for (JsonNode transport : transports) {
            String scheme = transport.get("scheme").asText();
            String bundle = "fleetup-transport-" + ("https".equals(scheme) ? "http" : scheme);
            assertEquals(bundle, transport.get("bundle").asText());
            assertEquals(transport.toString(), bundleVersion(bundle), transport.get("version").asText());
            assertEquals(transport.toString(), (int) servers.getOrDefault(scheme, 0),
                    transport.get("servers").asInt());
            assertTrue(transport.toString(), transport.get("available").asBoolean());
        }
    }

    private String bundleVersion(String symbolicName) {
        return Arrays.stream(bundleContext.getBundles())
                .filter(bundle -> symbolicName.equals(bundle.getSymbolicName())).findFirst()
                .map(bundle -> bundle.getVersion().toString()).orElse("(no bundle " + symbolicName + ")");
    }

    @Test
    public void theOpenApiDocumentDescribesEveryEndpoint() throws Exception {
        assertError(send(request("/openapi.json").GET().build()), 401, "fleetup.auth.unauthenticated");

        JsonNode document = body(send(viewer("/openapi.json").GET().build()));

        assertTrue(document.toString(), document.get("openapi").asText().startsWith("3."));
        assertEquals("Fleetup REST API", document.get("info").get("title").asText());
        JsonNode paths = document.get("paths");
        for (String path : List.of("/servers", "/releases", "/plans", "/rollouts", "/rollouts/{id}",
                "/rollouts/{id}/pause", "/rollouts/{id}/resume", "/rollouts/{id}/cancel", "/rollouts/{id}/retry",
                "/rollouts/{id}/events", "/transports", "/uploads", "/uploads/{id}", "/uploads/{id}/commit")) {
            assertNotNull("the document describes " + path + ": " + paths, paths.get(path));
        }
        assertNotNull(paths.get("/servers").get("post"));
        assertTrue("each operation says what it does, as the shell does: " + paths.get("/rollouts"),
                paths.get("/rollouts").get("post").get("summary").asText().contains("fleet:rollout-start"));
    }

    @Test
    public void aPlanAndARolloutStartedOverRestUpgradeTheFleetAndItsEventsEndWithTheFailures() throws Exception {
        ok("fleet:sim-start --prefix rest --version 1.4.2 --extra 1.3.0:health-fails 3");
        List<SimulatedHost> hosts = simulator.hosts().stream().filter(h -> h.name().startsWith("rest-")).toList();
        assertEquals(4, hosts.size());
        Set<String> faulty = hosts.stream().filter(h -> h.faults().contains(Fault.HEALTH_FAILS))
                .map(SimulatedHost::name).collect(Collectors.toSet());
        assertEquals(1, faulty.size());
        List<String> names = hosts.stream().map(SimulatedHost::name).sorted().toList();
        Path artifact = Files.createTempDirectory("fleetup-rest-it").resolve("demo-app-2.0.0.tar.gz");
        ok("fleet:sim-release --version 2.0.0 " + artifact);
        byte[] bytes = Files.readAllBytes(artifact);

        // The updating device's handshake: ask, send in two parts (the second resuming the first), commit.
        HttpResponse<String> granted = send(admin("/uploads").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"product\": \"demo-app\", \"version\": \"2.0.0\","
                        + " \"kind\": \"application\", \"size\": " + bytes.length + ", \"sha256\": \""
                        + sha256(artifact) + "\"}")).build());
        assertEquals(granted.body(), 201, granted.statusCode());
        String upload = body(granted).get("id").asText();
        assertTrue(granted.headers().firstValue("Location").orElse("").endsWith("/uploads/" + upload));
        assertTrue(body(granted).get("expiresAt").asText().length() > 10);
        int half = bytes.length / 2;
        JsonNode first = body(send(admin("/uploads/" + upload).header("Content-Type", "application/octet-stream")
                .header("Content-Range", "bytes 0-" + (half - 1) + "/" + bytes.length)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes, 0, half)).build()));
        assertEquals(half, first.get("received").asInt());
        assertEquals(half, body(send(viewer("/uploads/" + upload).GET().build())).get("received").asInt());
        JsonNode rest = body(send(admin("/uploads/" + upload).header("Content-Type", "application/octet-stream")
                .header("Content-Range", "bytes " + half + "-" + (bytes.length - 1) + "/" + bytes.length)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes, half, bytes.length - half)).build()));
        assertTrue(rest.toString(), rest.get("complete").asBoolean());
        HttpResponse<String> committed = send(admin("/uploads/" + upload + "/commit")
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(committed.body(), 201, committed.statusCode());
        assertEquals(sha256(artifact), body(committed).get("sha256").asText());

        JsonNode releases = body(send(viewer("/releases?sort=version:ASC").GET().build()));
        assertTrue(releases.toString(), stream(releases.get("items"))
                .anyMatch(r -> r.get("product").asText().equals("demo-app")
                        && r.get("version").asText().equals("2.0.0")));

        JsonNode page = body(send(viewer("/servers?limit=2&offset=1&sort=name:DESC").GET().build()));
        List<String> descending = names.stream().sorted((a, b) -> b.compareTo(a)).toList();
        assertEquals(List.of(descending.get(1), descending.get(2)),
                stream(page.get("items")).map(s -> s.get("name").asText()).toList());
        assertEquals(2, page.get("limit").asInt());
        assertTrue(page.get("total").asInt() >= names.size());

        String selection = json.writeValueAsString(names);
        HttpResponse<String> planned = send(admin("/plans").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"product\": \"demo-app\", \"version\": \"2.0.0\","
                        + " \"servers\": " + selection + "}")).build());
        assertEquals(planned.body(), 200, planned.statusCode());
        JsonNode plan = body(planned);
        assertEquals(plan.toString(), names.size(), plan.get("counts").get("UPGRADE").asInt());
        assertEquals(names.size(), plan.get("entries").size());

        // One wave of every server, halted only if all fail: the faulty one must not pause it.
        HttpResponse<String> started = send(admin("/rollouts").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"product\": \"demo-app\", \"version\": \"2.0.0\","
                        + " \"servers\": " + selection + ", \"parallel\": 4, \"canary\": \"0\", \"wave\": \"100%\","
                        + " \"maxErrors\": \"100%\"}")).build());
        assertEquals(started.body(), 201, started.statusCode());
        String id = body(started).get("id").asText();
        assertTrue(started.headers().firstValue("Location").orElse("").endsWith("/rollouts/" + id));

        List<Event> events = events(id);

        Event completion = events.get(events.size() - 1);
        assertEquals(events.toString(), "completion", completion.name());
        JsonNode ended = json.readTree(completion.data());
        assertEquals("FINISHED", ended.get("status").asText());
        assertEquals(faulty,
                stream(ended.get("failed")).map(f -> f.get("server").asText()).collect(Collectors.toSet()));
        for (JsonNode failure : ended.get("failed")) {
            assertTrue("a failure says why: " + failure, failure.get("detail").asText().length() > 10);
            assertEquals("and what it was to get", "demo-app/2.0.0", failure.get("release").asText());
        }
        for (String name : names) {
            List<String> steps = events.stream().filter(e -> e.name().equals("step")).map(e -> readTree(e.data()))
                    .filter(e -> e.get("server").asText().equals(name)).map(e -> e.get("step").asText()).toList();
            assertTrue(name + " went through its steps: " + steps, steps.size() >= 3);
            assertEquals(name + " ended as it should: " + steps, faulty.contains(name) ? "ROLLED_BACK" : "DONE",
                    steps.get(steps.size() - 1));
        }

        for (SimulatedHost host : hosts) {
            Path root = host.root();
            if (faulty.contains(host.name())) {
                assertEquals(host.name() + " runs its old release again", "1.3.0", runningVersion(root));
            } else {
                assertEquals(host.name() + " runs 2.0.0", "2.0.0", runningVersion(root));
                assertEquals(host.name() + " 2.0.0 matches its manifest", List.of(),
                        manifestMismatches(root.resolve("demo-app/releases/2.0.0")));
            }
        }

        List<Event> again = events(id);
        assertEquals("a stream opened on an ended rollout tells where each server ended, then the completion: " + again,
                names.size() + 1, again.size());
        assertEquals(ended, json.readTree(again.get(again.size() - 1).data()));

        JsonNode detail = body(send(viewer("/rollouts/" + id).GET().build()));
        assertEquals("FINISHED", detail.get("rollout").get("status").asText());
        for (JsonNode server : detail.get("servers")) {
            String name = server.get("server").asText();
            assertEquals(name, faulty.contains(name) ? "rolled-back" : "upgraded", server.get("outcome").asText());
            assertTrue(name + " has its history", server.get("history").size() >= 3);
            assertTrue(name + " says what happened", server.get("detail").asText().length() > 10);
        }
        JsonNode newest = body(send(viewer("/rollouts?limit=1&sort=createdAt:DESC").GET().build()));
        assertEquals(id, newest.get("items").get(0).get("id").asText());
        assertError(send(admin("/rollouts/" + id + "/pause").POST(HttpRequest.BodyPublishers.noBody()).build()), 409,
                "fleetup.rollout.ended");
    }

    @Test
    public void aRolloutThatPausesIsToldAsPausedAndItsStreamGoesOnUntilItIsCancelled() throws Exception {
        // Two waves of one server, taken by name: the first fails its health check, which pauses the rollout
        // (max errors 1) before the second starts.
        ok("fleet:sim-start --prefix halta --version 1.3.0 --extra 1.3.0:health-fails 0");
        ok("fleet:sim-start --prefix haltb --version 1.3.0 1");
        List<String> names = List.of("halta-01", "haltb-01");
        Path artifact = Files.createTempDirectory("fleetup-rest-it").resolve("demo-app-2.1.0.tar.gz");
        ok("fleet:sim-release --version 2.1.0 " + artifact);
        ok("fleet:release-add --product demo-app --version 2.1.0 " + artifact);
        HttpResponse<String> started = send(admin("/rollouts").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"product\": \"demo-app\", \"version\": \"2.1.0\","
                        + " \"servers\": " + json.writeValueAsString(names) + ", \"canary\": \"1\", \"wave\": \"1\","
                        + " \"maxErrors\": \"1\", \"onError\": \"pause\", \"order\": \"name\"}")).build());
        assertEquals(started.body(), 201, started.statusCode());
        String id = body(started).get("id").asText();
        List<Event> events = new CopyOnWriteArrayList<>();
        CompletableFuture<List<Event>> stream = follow(id, events);

        await("the paused event").atMost(4, TimeUnit.MINUTES).pollInterval(100, TimeUnit.MILLISECONDS)
                .until(() -> stream.isDone() || events.stream().anyMatch(e -> e.name().equals("paused")));
        JsonNode paused = events.stream().filter(e -> e.name().equals("paused")).map(e -> readTree(e.data()))
                .findFirst().orElseThrow(() -> new AssertionError("no paused event: " + events));
        assertEquals("PAUSED", paused.get("status").asText());
        assertEquals(paused.toString(), "halta-01", paused.get("failed").get(0).get("server").asText());
        assertFalse("the stream goes on while the rollout is paused", stream.isDone());

        JsonNode cancelled = body(send(admin("/rollouts/" + id + "/cancel").POST(HttpRequest.BodyPublishers.noBody())
                .build()));
        assertTrue(cancelled.toString(), cancelled.get("status").asText().startsWith("CANCEL"));
        List<Event> all = stream.get(2, TimeUnit.MINUTES);
        Event last = all.get(all.size() - 1);
        assertEquals(all.toString(), "completion", last.name());
        assertEquals("one pause, told once: " + all, 1, all.stream().filter(e -> e.name().equals("paused")).count());
        assertEquals("CANCELLED", readTree(last.data()).get("status").asText());
        assertTrue("the second wave never started: " + all, all.stream().filter(e -> e.name().equals("step"))
                .map(e -> readTree(e.data())).filter(e -> e.get("server").asText().equals("haltb-01"))
                .allMatch(e -> List.of("PENDING", "SKIPPED").contains(e.get("step").asText())));
        for (SimulatedHost host : simulator.hosts()) {
            if (names.contains(host.name())) {
                assertEquals(host.name() + " runs what it ran", "1.3.0", runningVersion(host.root()));
            }
        }
    }

    @Test
    public void anUploadIsRefusedWithItsReasonAndChangesNothing() throws Exception {
        byte[] bytes = new byte[1000];
        new java.util.Random(12).nextBytes(bytes);
        Path file = Files.write(Files.createTempFile("junk", ".tar.gz"), bytes);
        String asked = "{\"product\": \"junk\", \"version\": \"1.0.0\", \"size\": 1000, \"sha256\": \""
                + sha256(file) + "\"}";

        assertError(send(admin("/uploads").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                .ofString(asked.replace("1000", "4294967296"))).build()), 413, "fleetup.upload.tooLarge");
        assertError(send(admin("/uploads").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                .ofString(asked.replace(sha256(file), "abc"))).build()), 400, "fleetup.release.invalid");
        assertError(send(viewer("/uploads").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(asked)).build()), 403, "fleetup.auth.forbidden");

        String id = body(send(admin("/uploads").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(asked)).build())).get("id").asText();
        assertError(send(admin("/uploads/" + id).header("Content-Range", "bytes 500-999/1000")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes, 500, 500)).build()), 416, "fleetup.upload.range");
        assertError(send(admin("/uploads/" + id).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1001])).build()),
                413, "fleetup.upload.tooLarge");
        assertEquals("a refused part keeps nothing", 0,
                body(send(viewer("/uploads/" + id).GET().build())).get("received").asInt());
        assertEquals(200, send(admin("/uploads/" + id).header("Content-Range", "bytes 0-499/1000")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes, 0, 500)).build()).statusCode());
        assertError(send(admin("/uploads/" + id + "/commit").POST(HttpRequest.BodyPublishers.noBody()).build()), 409,
                "fleetup.upload.incomplete");
        byte[] other = bytes.clone();
        other[900] ^= 1;
        assertError(send(admin("/uploads/" + id).header("Content-Range", "bytes 500-999/1000")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(other, 500, 500)).build()), 400,
                "fleetup.upload.mismatch");
        assertError(send(viewer("/uploads/" + id).GET().build()), 404, "fleetup.upload.notFound");

        Path buffers = Path.of(System.getProperty("karaf.data"), "uploads");
        try (Stream<Path> left = Files.list(buffers)) {
            assertEquals("the refused upload's bytes are gone", List.of(), left.toList());
        }
        JsonNode releases = body(send(viewer("/releases").GET().build()));
        assertTrue(releases.toString(), stream(releases.get("items")).noneMatch(r -> r.get("product").asText()
                .equals("junk")));
    }

    // ---- the client ----

    /** One server-sent event. */
    private record Event(String name, String data) {
    }

    /** The events of a rollout, read until the stream ends (after the completion event), within 4 minutes. */
    private List<Event> events(String id) throws Exception {
        CompletableFuture<List<Event>> read = follow(id, new CopyOnWriteArrayList<>());
        try {
            return read.get(4, TimeUnit.MINUTES);
        } finally {
            read.cancel(true);
        }
    }

    /** Reads the events of a rollout into {@code events} as they come; completes when the stream ends. */
    private CompletableFuture<List<Event>> follow(String id, List<Event> events) throws Exception {
        HttpResponse<Stream<String>> stream = http.send(viewer("/rollouts/" + id + "/events")
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        return CompletableFuture.supplyAsync(() -> {
            String name = null;
            StringBuilder data = new StringBuilder();
            try (Stream<String> lines = stream.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.startsWith("event:")) {
                        name = line.substring(6).strip();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).strip());
                    } else if (line.isEmpty() && name != null) {
                        events.add(new Event(name, data.toString()));
                        System.err.println("SSE " + name + " " + data);
                        name = null;
                        data.setLength(0);
                    }
                }
            }
            return events;
        });
    }

    private JsonNode readTree(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + System.getProperty(HTTP_PORT)
                + "/cxf/fleetup/api/v1" + path)).timeout(TIMEOUT);
    }

    private HttpRequest.Builder admin(String path) {
        return as(ADMIN, ADMIN_PASSWORD, request(path));
    }

    private HttpRequest.Builder viewer(String path) {
        return as(VIEWER, VIEWER_PASSWORD, request(path));
    }

    private static HttpRequest.Builder as(String user, String password, HttpRequest.Builder request) {
        return request.header("Authorization", "Basic " + basic(user, password));
    }

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        System.err.println(request.method() + " " + request.uri() + " -> " + response.statusCode() + " "
                + response.body());
        return response;
    }

    private JsonNode body(HttpResponse<String> response) {
        assertTrue("JSON: " + response.headers().firstValue("Content-Type"),
                response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return readTree(response.body());
    }

    private void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(response.body(), status, response.statusCode());
        JsonNode error = body(response);
        assertEquals(response.body(), code, error.get("code").asText());
        assertNotNull(error.get("message"));
        assertTrue(response.body(), error.get("message").asText().length() > 10);
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> nodes = new ArrayList<>();
        array.forEach(nodes::add);
        return nodes.stream();
    }

    private void addRestUser(String user, String role, String password) throws IOException, InterruptedException {
        runFleetupInit(password + "\n", "--add-rest-user", user, role);
        String users = Files.readString(Path.of(System.getProperty("karaf.home"), "etc/users.properties"));
        assertFalse("users.properties holds a password in clear", users.contains(password));
    }

    private void runFleetupInit(String stdin, String... options) throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("karaf.home"));
        Path input = Files.writeString(Files.createTempFile("fleetup-init", ".in"), stdin);
        Path output = Files.createTempFile("fleetup-init", ".txt");
        List<String> command = new ArrayList<>(List.of("/bin/sh", home.resolve("bin/fleetup-init").toString()));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectInput(input.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/fleetup-init did not end within " + TIMEOUT);
        }
        assertEquals(Files.readString(output), 0, process.exitValue());
    }
}
