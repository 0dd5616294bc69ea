package org.fleetup.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Command;
import org.apache.karaf.shell.api.console.Registry;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.apache.karaf.shell.impl.action.command.ManagerImpl;
import org.apache.karaf.shell.impl.console.RegistryImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ConsoleReadinessTest {

    @Test
    void theMarkerHoldsThisJvmsPidOnceTheCommandsAreRegisteredAndIsGoneAfter(@TempDir Path data) throws Exception {
        Path marker = data.resolve(ConsoleReadiness.MARKER);
        Files.writeString(marker, "1\n"); // a JVM killed before it could remove its own
        CountDownLatch looks = new CountDownLatch(3);
        Registry registry = new RegistryImpl(null) {
            @Override
            public Command getCommand(String scope, String name) {
                looks.countDown();
                return super.getCommand(scope, name);
            }
        };
        Files.delete(marker);

        ConsoleReadiness readiness = new ConsoleReadiness(registry, marker, only("fleet:transport-list"));
        assertThat(looks.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(marker).as("written before the commands are there").doesNotExist();

        new ManagerImpl(registry, registry).register(TransportListCommand.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker));
        assertThat(marker).hasContent(Long.toString(ProcessHandle.current().pid()));
        try (Stream<Path> files = Files.list(data)) {
            assertThat(files).containsExactly(marker);
        }

        readiness.deactivate();
        assertThat(marker).doesNotExist();
    }

    @Test
    void aMarkerLeftByAKilledJvmIsReplaced(@TempDir Path data) throws Exception {
        Path marker = Files.writeString(data.resolve(ConsoleReadiness.MARKER), "1\n");
        Registry registry = new RegistryImpl(null);
        new ManagerImpl(registry, registry).register(TransportListCommand.class);

        ConsoleReadiness readiness = new ConsoleReadiness(registry, marker, only("fleet:transport-list"));
        String pid = Long.toString(ProcessHandle.current().pid());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(marker).strip().equals(pid));
        readiness.deactivate();
        assertThat(marker).doesNotExist();
    }

    /**
     * Another bundle's {@code fleet:} commands (the patch server's) come when its own services do, which may be after
     * this bundle's: a script that lists the pull agents right after ./fleetup start must find the command.
     */
    @Test
    void theMarkerWaitsForTheFleetCommandsOfEveryOtherBundle(@TempDir Path data) throws Exception {
        Path marker = data.resolve(ConsoleReadiness.MARKER);
        CountDownLatch looksForTheOther = new CountDownLatch(3);
        Registry registry = new RegistryImpl(null) {
            @Override
            public Command getCommand(String scope, String name) {
                if (name.equals("controller-list")) {
                    looksForTheOther.countDown();
                }
                return super.getCommand(scope, name);
            }
        };
        ManagerImpl commands = new ManagerImpl(registry, registry);
        commands.register(TransportListCommand.class);

        ConsoleReadiness readiness = new ConsoleReadiness(registry, marker,
                only("fleet:controller-list", "fleet:transport-list"));
        assertThat(looksForTheOther.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(marker).as("written while fleet:controller-list is missing").doesNotExist();

        commands.register(ControllerListCommand.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker));
        readiness.deactivate();
        assertThat(marker).doesNotExist();
    }

    @Test
    void noMarkerWhileWhatTheBundlesDeclareCannotBeRead(@TempDir Path data) throws Exception {
        Path marker = data.resolve(ConsoleReadiness.MARKER);
        Registry registry = new RegistryImpl(null);
        new ManagerImpl(registry, registry).register(TransportListCommand.class);
        CountDownLatch reads = new CountDownLatch(3);
        AtomicBoolean readable = new AtomicBoolean();

        ConsoleReadiness readiness = new ConsoleReadiness(registry, marker, () -> {
            reads.countDown();
            return readable.get() ? Optional.of(Set.of("fleet:transport-list")) : Optional.empty();
        });
        assertThat(reads.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(marker).as("written before a bundle's commands could be read").doesNotExist();

        readable.set(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker));
        readiness.deactivate();
    }

    private static Supplier<Optional<Set<String>>> only(String... commands) {
        return () -> Optional.of(Set.of(commands));
    }

    /**
     * The marker says the commands can run only if the component waits for every service Karaf waits for before it
     * registers them: the mandatory {@code @Reference} fields of the bundle's commands and completers, against the
     * references of the descriptor bnd generated (the one SCR reads).
     */
    @Test
    void theComponentNeedsEveryServiceTheCommandsNeed() throws Exception {
        Path classes = Path.of(ConsoleReadiness.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> commandsNeed = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, getClass().getClassLoader());
                if (type.isAnnotationPresent(Service.class)) {
                    for (Field field : type.getDeclaredFields()) {
                        Reference reference = field.getAnnotation(Reference.class);
                        // Karaf injects its own session objects; only OSGi services hold the commands back
                        if (reference != null && !reference.optional()
                                && !field.getType().getName().startsWith("org.apache.karaf.shell.api.")) {
                            commandsNeed.add(field.getType().getName());
                        }
                    }
                }
            }
        }
        assertThat(commandsNeed).contains("org.fleetup.api.inventory.Inventory", "org.fleetup.api.rollout.Rollouts");

        Set<String> componentNeeds = new TreeSet<>();
        Path descriptor = classes.resolve("OSGI-INF").resolve(ConsoleReadiness.class.getName() + ".xml");
        try (InputStream in = Files.newInputStream(descriptor)) {
            Document document = DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder().parse(in);
            NodeList references = document.getElementsByTagName("reference");
            for (int i = 0; i < references.getLength(); i++) {
                Element reference = (Element) references.item(i);
                assertThat(reference.getAttribute("cardinality")).isIn("", "1..1");
                componentNeeds.add(reference.getAttribute("interface"));
            }
        }
        // and the console itself, whose registry it reads
        assertThat(componentNeeds).isEqualTo(Stream.concat(commandsNeed.stream(),
                Stream.of(SessionFactory.class.getName())).collect(Collectors.toCollection(TreeSet::new)));
    }
}
