package org.fleetup.itests;

import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFileExtend;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.fleetup.api.simulator.Simulator;
import org.fleetup.testing.LoopbackPorts;
import org.junit.Before;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.ProbeBuilder;
import org.ops4j.pax.exam.TestProbeBuilder;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.extra.VMOption;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Boots the real Fleetup distribution, as a user unpacks it, and drives it through the shell commands a user types.
 * Everything a test starts listens on 127.0.0.1.
 */
public abstract class FleetupTestSupport {

    static final long COMMAND_TIMEOUT_SECONDS = 240;

    /** The system property, in the container, holding Karaf's HTTP port. */
    static final String HTTP_PORT = "fleetup.it.httpPort";

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected SessionFactory sessionFactory;

    /** The simulator, as configured from {@code etc/}: see {@link #awaitConfiguredSimulator()}. */
    protected Simulator simulator;

    @ProbeBuilder
    public TestProbeBuilder probeConfiguration(TestProbeBuilder probe) {
        probe.setHeader(Constants.DYNAMICIMPORT_PACKAGE, "*");
        return probe;
    }

    @Configuration
    public Option[] config() {
        String karaf = System.getProperty("karaf.version");
        // Karaf's HTTP port (the REST API's) of its own: other instances may run on this machine at the same time.
        String httpPort = Integer.toString(LoopbackPorts.free());
        return new Option[] {
            karafDistributionConfiguration()
                .frameworkUrl("file:" + new File(System.getProperty("fleetup.distribution")).getAbsolutePath())
                .name("Fleetup").unpackDirectory(new File("target/exam")).useDeployFolder(false),
            configureConsole().ignoreLocalConsole(),
            keepRuntimeFolder(),
            logLevel(LogLevel.INFO),
            systemTimeout(TimeUnit.MINUTES.toMillis(5)),
            // The probe waits for Pax Exam's injector while the boot features still install: 10 s by default, which a
            // loaded machine overran (a first Liquibase migration took 30 s), leaving no probe for the 5 minutes above.
            systemProperty("pax.exam.service.timeout").value(Long.toString(TimeUnit.MINUTES.toMillis(2))),
            mavenBundle("org.hamcrest", "hamcrest", "2.2"),
            mavenBundle("org.awaitility", "awaitility", System.getProperty("awaitility.version")),
            // the distribution leaves the simulator out, as an operator's instance should; the tests drive simulated fleets
            editConfigurationFileExtend("etc/org.apache.karaf.features.cfg", "featuresBoot", "fleetup-simulator"),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                    System.getProperty("maven.repo.local")),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort",
                    Integer.toString(LoopbackPorts.free())),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshHost", "127.0.0.1"),
            editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", httpPort),
            systemProperty(HTTP_PORT).value(httpPort),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort",
                    Integer.toString(LoopbackPorts.free())),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort",
                    Integer.toString(LoopbackPorts.free())),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryHost", "127.0.0.1"),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerHost", "127.0.0.1"),
            // Karaf's own JVM options on Java 9+, as bin/karaf passes them
            new VMOption("--add-reads=java.xml=java.logging"),
            new VMOption("--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED"),
            new VMOption("--patch-module"),
            new VMOption("java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karaf + ".jar"),
            new VMOption("--patch-module"),
            new VMOption("java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karaf + ".jar"),
            new VMOption("--add-opens"), new VMOption("java.base/java.security=ALL-UNNAMED"),
            new VMOption("--add-opens"), new VMOption("java.base/java.net=ALL-UNNAMED"),
            new VMOption("--add-opens"), new VMOption("java.base/java.lang=ALL-UNNAMED"),
            new VMOption("--add-opens"), new VMOption("java.base/java.util=ALL-UNNAMED"),
            new VMOption("--add-opens"), new VMOption("java.naming/javax.naming.spi=ALL-UNNAMED"),
            new VMOption("--add-opens"), new VMOption("java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED"),
            new VMOption("--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED"),
            new VMOption("--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED"),
            new VMOption("--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED"),
            new VMOption("--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED"),
            new VMOption("--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED"),
            new VMOption("--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED"),
            new VMOption("--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED"),
            new VMOption("-classpath"),
            new VMOption("lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"),
        };
    }

    /**
     * The simulator's component may start before File Install hands it {@code etc/org.fleetup.simulator.cfg}, and is
     * replaced by a new instance when the configuration comes: a test that took the first instance, or ran
     * {@code fleet:sim-start} on it, would see an empty fleet. The configured one carries the configuration's PID.
     */
    @Before
    public void awaitConfiguredSimulator() throws InterruptedException {
        simulator = service(Simulator.class, "(service.pid=org.fleetup.simulator)");
    }

    /** What a command printed, and the error it ended with, if any. */
    protected record Result(String output, Exception error) {

        boolean failed() {
            return error != null;
        }

        String all() {
            return output + (error == null ? "" : "\nError executing command: " + error.getMessage());
        }
    }

    /** Runs a command line in a console session of its own, as a user would type it. */
    protected Result run(String command) {
        awaitCommand(command.split(" ", 2)[0]);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Session session = sessionFactory.create(InputStream.nullInputStream(), out, out);
        Exception error = null;
        System.err.println("karaf@fleetup()> " + command);
        // Bounded: a command that hangs fails its test instead of holding the build until the fork's timeout.
        FutureTask<Object> execution = new FutureTask<>(() -> session.execute(command));
        Thread runner = new Thread(execution, "itest-command");
        runner.setDaemon(true);
        runner.start();
        try {
            Object result = execution.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (result != null) {
                out.println(result);
            }
        } catch (TimeoutException e) {
            execution.cancel(true);
            throw new AssertionError("'" + command + "' did not end within " + COMMAND_TIMEOUT_SECONDS
                    + " s; it printed:\n" + bytes.toString(StandardCharsets.UTF_8));
        } catch (ExecutionException e) {
            error = e.getCause() instanceof Exception cause ? cause : e;
            error.printStackTrace(System.err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while '" + command + "' ran", e);
        } finally {
            session.close();
        }
        out.flush();
        Result result = new Result(bytes.toString(StandardCharsets.UTF_8), error);
        System.err.println(result.all());
        return result;
    }

    /**
     * Karaf registers a bundle's commands once their services are there, on its own time, and tells no one: the
     * first command of a test waits for it.
     */
    private void awaitCommand(String command) {
        String[] scopeAndName = command.split(":", 2);
        await("command " + command).atMost(60, TimeUnit.SECONDS).pollInterval(100, TimeUnit.MILLISECONDS)
                .until(() -> sessionFactory.getRegistry().getCommand(scopeAndName[0], scopeAndName[1]) != null);
    }

    /** Runs a command that must succeed, and returns what it printed. */
    protected String ok(String command) {
        Result result = run(command);
        if (result.failed()) {
            throw new AssertionError("'" + command + "' failed: " + result.all(), result.error());
        }
        return result.output();
    }

    protected <T> T service(Class<T> type) throws InterruptedException {
        return service(type, null);
    }

    /** One call on Karaf's features service. */
    @FunctionalInterface
    protected interface FeaturesCall {

        void on(FeaturesService features) throws Exception;
    }

    /**
     * Makes {@code call} on the features service as it is now. Karaf replaces that service when its configuration
     * arrives from {@code etc/} (its activator restarts it), which may come after the boot and after a test took the
     * service: the replaced instance refuses the call before doing anything (its executor is terminated), and the
     * call is made again on the one that replaced it.
     */
    protected void features(FeaturesCall call) {
        await("the features service takes the call").atMost(60, TimeUnit.SECONDS)
                .pollInterval(200, TimeUnit.MILLISECONDS).ignoreExceptionsInstanceOf(RejectedExecutionException.class)
                .until(() -> {
                    call.on(service(FeaturesService.class));
                    return true;
                });
    }

    /** The first service of {@code type} that matches {@code filter} (LDAP syntax; {@code null} for any). */
    protected <T> T service(Class<T> type, String filter) throws InterruptedException {
        String objectClass = "(" + Constants.OBJECTCLASS + "=" + type.getName() + ")";
        ServiceTracker<T, T> tracker;
        try {
            tracker = new ServiceTracker<>(bundleContext, FrameworkUtil.createFilter(
                    filter == null ? objectClass : "(&" + objectClass + filter + ")"), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("Not an LDAP filter: " + filter, e);
        }
        tracker.open();
        try {
            T service = tracker.waitForService(TimeUnit.SECONDS.toMillis(60));
            if (service == null) {
                throw new AssertionError("No " + type.getName() + " service " + (filter == null ? "" : filter)
                        + " within 60 s");
            }
            return service;
        } finally {
            tracker.close();
        }
    }

    // ---- ground truth, read from the servers' own directories ----

    /** The release directory {@code current} points to, e.g. {@code releases/2.0.0}. */
    protected static String currentTarget(Path root) throws IOException {
        return Files.readSymbolicLink(root.resolve("demo-app/current")).toString();
    }

    protected static String runningVersion(Path root) throws IOException {
        return Files.readString(root.resolve("demo-app/current/VERSION")).strip();
    }

    /** Every file of a release directory checked against its MANIFEST.sha256; returns the mismatches. */
    protected static List<String> manifestMismatches(Path release) throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        for (String line : Files.readAllLines(release.resolve("MANIFEST.sha256"))) {
            if (!line.isBlank()) {
                String[] parts = line.split("\\s+\\*?", 2);
                expected.put(parts[1].startsWith("./") ? parts[1].substring(2) : parts[1], parts[0]);
            }
        }
        List<String> problems = new java.util.ArrayList<>();
        expected.forEach((file, hash) -> {
            try {
                if (!hash.equalsIgnoreCase(sha256(release.resolve(file)))) {
                    problems.add(file + " differs");
                }
            } catch (IOException e) {
                problems.add(file + " missing");
            }
        });
        try (Stream<Path> files = Files.walk(release)) {
            files.filter(Files::isRegularFile)
                    .map(p -> release.relativize(p).toString())
                    .filter(name -> !name.equals("MANIFEST.sha256") && !expected.containsKey(name))
                    .forEach(name -> problems.add(name + " not in the manifest"));
        }
        return problems;
    }

    protected static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Anything left in the application root that is neither a release, nor {@code current}, nor the journals of the
     * on-server units ({@code .fleetup/}, kept as each switch's health record).
     */
    protected static List<String> leftovers(Path root) throws IOException {
        Path app = root.resolve("demo-app");
        List<String> left = new java.util.ArrayList<>();
        try (Stream<Path> entries = Files.list(app)) {
            entries.map(p -> app.relativize(p).toString())
                    .filter(name -> !List.of("releases", "current", ".fleetup").contains(name))
                    .forEach(name -> {
                        Path path = app.resolve(name);
                        try (Stream<Path> inside = Files.isDirectory(path) ? Files.list(path) : Stream.of(path)) {
                            if (!Files.isDirectory(path) || inside.findAny().isPresent()) {
                                left.add(name);
                            }
                        } catch (IOException e) {
                            left.add(name);
                        }
                    });
        }
        return left;
    }
}
