package org.fleetup.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The SSH console of a fresh instance, logged in to as an operator's client does (MINA SSHD's client on 127.0.0.1,
 * the console's host key pinned): it knows no well-known login; bin/fleetup-init gives it one of its own, a password
 * shown once and a key pair for scripts.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConsoleLoginIT extends FleetupTestSupport {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern SHOWN_PASSWORD = Pattern.compile("user karaf, password (\\S+)");

    private Path home;
    private Path etc;

    /**
     * Each test starts from the login files as unpacked: users.properties and keys.properties as the first test found
     * them (kept aside then), no key pair, nothing pinned.
     */
    @Before
    public void asUnpacked() throws IOException {
        home = Path.of(System.getProperty("karaf.home"));
        etc = Path.of(System.getProperty("karaf.etc"));
        for (String file : List.of("users.properties", "keys.properties")) {
            Path unpacked = etc.resolve(file + ".unpacked");
            if (!Files.exists(unpacked)) {
                Files.copy(etc.resolve(file), unpacked);
            }
            Files.copy(unpacked, etc.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        for (String file : List.of("console_key", "console_key.pub", "console_known_hosts")) {
            Files.deleteIfExists(etc.resolve(file));
        }
    }

    @Test
    public void freshInstanceRefusesTheWellKnownLogin() throws Exception {
        assertFalse("karaf/karaf logs in", logsIn(session -> session.addPasswordIdentity("karaf")));
    }

    @Test
    public void fleetupInitMakesAPasswordShownOnceAndStoredHashed() throws Exception {
        String password = shownPassword(fleetupInit());

        assertTrue("the password shown logs in", logsIn(session -> session.addPasswordIdentity(password)));
        assertFalse("karaf/karaf logs in", logsIn(session -> session.addPasswordIdentity("karaf")));
        String users = Files.readString(etc.resolve("users.properties"));
        assertFalse("the password is in clear in users.properties", users.contains(password));
        assertTrue(users, users.contains("karaf = {CRYPT}"));
        assertEquals("shown once: a second run says nothing", "", fleetupInit());
        assertTrue("the password still logs in", logsIn(session -> session.addPasswordIdentity(password)));
    }

    @Test
    public void newPasswordReplacesTheOldOne() throws Exception {
        String old = shownPassword(fleetupInit());

        String replacement = shownPassword(fleetupInit("--new-password"));

        assertFalse("the old password logs in", logsIn(session -> session.addPasswordIdentity(old)));
        assertTrue("the new password logs in", logsIn(session -> session.addPasswordIdentity(replacement)));
    }

    @Test
    public void setPasswordTakesTheOperatorsOwnFromStdin() throws Exception {
        String made = shownPassword(fleetupInit());

        fleetupInitReading("an operator's own passphrase\n", "--set-password");

        assertTrue("the password set logs in",
                logsIn(session -> session.addPasswordIdentity("an operator's own passphrase")));
        assertFalse("the password made before logs in", logsIn(session -> session.addPasswordIdentity(made)));
    }

    @Test
    public void scriptsLogInWithTheInstanceKeyAndThePinnedHostKey() throws Exception {
        fleetupInit();
        KeyPair key = new FileKeyPairProvider(etc.resolve("console_key")).loadKeys(null).iterator().next();
        String pinned = Files.readString(etc.resolve("console_known_hosts")).strip();
        assertEquals("fleetup-console " + PublicKeyEntry.toString(hostKey()), pinned);

        // As ./fleetup does: the fleet commands register once the services they use are up, which a loaded machine
        // can put after the console's start (the inventory waits for pax-jdbc-config's DataSource). Each try logs in
        // anew, as each ./fleetup call does: the console may close a session whose command was not found.
        await("fleet:transport-list over the console").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> executeLoggedInWith(key, "fleet:transport-list").contains("ssh"));
    }

    private String executeLoggedInWith(KeyPair key, String command) throws IOException {
        try (SshClient client = client(); ClientSession session = connect(client)) {
            session.addPublicKeyIdentity(key);
            session.auth().verify(TIMEOUT);
            return execute(session, command);
        }
    }

    private static String shownPassword(String printed) {
        Matcher password = SHOWN_PASSWORD.matcher(printed);
        assertTrue(printed, password.find());
        return password.group(1);
    }

    /** Runs bin/fleetup-init as an operator would, and returns what it printed. */
    private String fleetupInit(String... options) throws IOException, InterruptedException {
        return fleetupInitReading("", options);
    }

    private String fleetupInitReading(String stdin, String... options) throws IOException, InterruptedException {
        Path input = Files.writeString(Files.createTempFile("fleetup-init", ".in"), stdin);
        Path output = Files.createTempFile("fleetup-init", ".txt");
        List<String> command = new ArrayList<>(List.of("/bin/sh", home.resolve("bin/fleetup-init").toString()));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectInput(input.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/fleetup-init did not end within " + TIMEOUT);
        }
        String printed = Files.readString(output);
        assertEquals(printed, 0, process.exitValue());
        return printed;
    }

    private boolean logsIn(Consumer<ClientSession> identity) throws IOException {
        try (SshClient client = client(); ClientSession session = connect(client)) {
            identity.accept(session);
            AuthFuture auth = session.auth();
            assertTrue("no answer to the login within " + TIMEOUT, auth.await(TIMEOUT));
            return auth.isSuccess();
        }
    }

    private SshClient client() {
        SshClient client = SshClient.setUpDefaultClient();
        // Read when the console presents its key: Karaf makes etc/host.key at its first key exchange, if missing.
        client.setServerKeyVerifier((session, address, key) -> KeyUtils.compareKeys(hostKey(), key));
        client.start();
        return client;
    }

    private ClientSession connect(SshClient client) throws IOException {
        return client.connect("karaf", "127.0.0.1", consolePort()).verify(TIMEOUT).getSession();
    }

    /** The console's host key, read where Karaf reads it. */
    private PublicKey hostKey() {
        return new FileKeyPairProvider(etc.resolve("host.key")).loadKeys(null).iterator().next().getPublic();
    }

    private int consolePort() throws IOException {
        Properties shell = new Properties();
        try (InputStream in = Files.newInputStream(etc.resolve("org.apache.karaf.shell.cfg"))) {
            shell.load(in);
        }
        return Integer.parseInt(shell.getProperty("sshPort").strip());
    }

    private static String execute(ClientSession session, String command) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ChannelExec channel = session.createExecChannel(command)) {
            channel.setOut(out);
            channel.setErr(out);
            channel.open().verify(TIMEOUT);
            boolean ended = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TIMEOUT)
                    .contains(ClientChannelEvent.CLOSED);
            assertTrue("'" + command + "' did not end within " + TIMEOUT, ended);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
