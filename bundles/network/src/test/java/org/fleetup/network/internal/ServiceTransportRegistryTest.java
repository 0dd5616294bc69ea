package org.fleetup.network.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.FleetupException;
import org.fleetup.api.transport.Transport;
import org.fleetup.api.transport.TransportInfo;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Constants;

class ServiceTransportRegistryTest {

    private static final URI SSH_SERVER = URI.create("ssh://10.0.0.7:22");

    private final ServiceTransportRegistry registry = new ServiceTransportRegistry();

    private static Transport transport() {
        return server -> {
            throw new UnsupportedOperationException("never connected in these tests");
        };
    }

    private static RegisteredTransport registered(long id, String bundle, Object schemes) {
        return new RegisteredTransport(id, bundle, Map.of(Transport.SCHEME, schemes));
    }

    @Test
    void boundTransportServesItsScheme() {
        Transport ssh = transport();
        registry.bindTransport(ssh, registered(1, "fleetup-transport-ssh", "ssh"));

        assertThat(registry.transportFor(SSH_SERVER)).isSameAs(ssh);
    }

    @Test
    void unboundTransportIsGoneAtOnce() {
        Transport ssh = transport();
        RegisteredTransport reference = registered(1, "fleetup-transport-ssh", "ssh");
        registry.bindTransport(ssh, reference);

        registry.unbindTransport(ssh, reference);

        assertThatThrownBy(() -> registry.transportFor(SSH_SERVER))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_MISSING));
        assertThat(registry.schemes()).isEmpty();
    }

    @Test
    void missingTransportNamesTheSchemeAndTheFeatureToInstall() {
        assertThatThrownBy(() -> registry.transportFor(SSH_SERVER))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_MISSING))
                .hasMessageContaining("No transport for scheme ssh (server address ssh://10.0.0.7:22)")
                .hasMessageContaining("feature:install fleetup-transport-ssh");
    }

    @Test
    void missingTransportMessageHidesAPasswordInTheAddress() {
        assertThatThrownBy(() -> registry.transportFor(URI.create("ssh://deploy:hunter2@10.0.0.7:22")))
                .hasMessageContaining("deploy:***@10.0.0.7")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void addressWithoutSchemeIsInvalid() {
        assertThatThrownBy(() -> registry.transportFor(URI.create("//10.0.0.7:22")))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID));
    }

    @Test
    void schemeIsMatchedWhateverItsCase() {
        Transport ssh = transport();
        registry.bindTransport(ssh, registered(1, "fleetup-transport-ssh", "SSH"));

        assertThat(registry.transportFor(URI.create("Ssh://10.0.0.7"))).isSameAs(ssh);
    }

    @Test
    void oneTransportMayServeSeveralSchemesGivenAsArrayOrCollection() {
        Transport web = transport();
        Transport files = transport();
        registry.bindTransport(web, registered(1, "fleetup-transport-http", new String[] {"http", "https"}));
        registry.bindTransport(files, registered(2, "fleetup-transport-sftp", List.of("sftp")));

        assertThat(registry.transportFor(URI.create("https://agent.example:8443"))).isSameAs(web);
        assertThat(registry.transportFor(URI.create("http://agent.example"))).isSameAs(web);
        assertThat(registry.transportFor(URI.create("sftp://10.0.0.7"))).isSameAs(files);
    }

    @Test
    void schemesNameTheBundleOfferingEach() {
        registry.bindTransport(transport(), registered(1, "fleetup-transport-ssh", "ssh"));
        registry.bindTransport(transport(), registered(2, "fleetup-transport-http", new String[] {"http", "https"}));

        assertThat(registry.schemes()).containsExactly(
                Map.entry("http", "fleetup-transport-http"),
                Map.entry("https", "fleetup-transport-http"),
                Map.entry("ssh", "fleetup-transport-ssh"));
    }

    @Test
    void transportsTellTheVersionOfTheBundleServingEachSchemeNow() {
        RegisteredTransport old = new RegisteredTransport(1, "fleetup-transport-ssh", "0.1.0.SNAPSHOT",
                Map.of(Transport.SCHEME, "ssh"));
        registry.bindTransport(transport(), old);
        registry.bindTransport(transport(), registered(2, "fleetup-transport-http", new String[] {"http", "https"}));

        assertThat(registry.transports()).containsExactly(
                new TransportInfo("http", "fleetup-transport-http", "0.1.0"),
                new TransportInfo("https", "fleetup-transport-http", "0.1.0"),
                new TransportInfo("ssh", "fleetup-transport-ssh", "0.1.0.SNAPSHOT"));

        // A bundle updated in place unregisters its service and registers it again from the new version.
        Transport updated = transport();
        registry.unbindTransport(null, old);
        registry.bindTransport(updated, new RegisteredTransport(3, "fleetup-transport-ssh", "0.1.1",
                Map.of(Transport.SCHEME, "ssh")));

        assertThat(registry.transports()).contains(new TransportInfo("ssh", "fleetup-transport-ssh", "0.1.1"));
        assertThat(registry.transportFor(SSH_SERVER)).isSameAs(updated);
    }

    @Test
    void higherRankedTransportWinsAndTheOtherTakesOverWhenItGoes() {
        Transport plain = transport();
        Transport ranked = transport();
        RegisteredTransport rankedReference = registered(2, "vendor-ssh", "ssh");
        rankedReference.put(Constants.SERVICE_RANKING, 10);
        registry.bindTransport(plain, registered(1, "fleetup-transport-ssh", "ssh"));
        registry.bindTransport(ranked, rankedReference);

        assertThat(registry.transportFor(SSH_SERVER)).isSameAs(ranked);
        assertThat(registry.schemes()).containsEntry("ssh", "vendor-ssh");

        registry.unbindTransport(ranked, rankedReference);

        assertThat(registry.transportFor(SSH_SERVER)).isSameAs(plain);
    }

    @Test
    void changedSchemePropertyMovesTheTransport() {
        Transport transport = transport();
        RegisteredTransport reference = registered(1, "fleetup-transport-ssh", "ssh");
        registry.bindTransport(transport, reference);

        reference.put(Transport.SCHEME, "sftp");
        registry.updatedTransport(transport, reference);

        assertThat(registry.schemes()).containsOnlyKeys("sftp");
    }

    @Test
    void transportWithoutSchemePropertyServesNothing() {
        registry.bindTransport(transport(), new RegisteredTransport(1, "odd-bundle", Map.of()));

        assertThat(registry.schemes()).isEmpty();
    }

    @Test
    void concurrentComingsAndGoingsLeaveExactlyTheBoundTransports() throws Exception {
        int transports = 200;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> work = new java.util.ArrayList<>();
            for (int i = 0; i < transports; i++) {
                long id = i;
                String scheme = "s" + (i % 7);
                work.add(pool.submit(() -> {
                    start.await();
                    Transport transport = transport();
                    RegisteredTransport reference = registered(id, "bundle-" + id, scheme);
                    registry.bindTransport(transport, reference);
                    if (id % 2 == 1) {
                        registry.unbindTransport(transport, reference);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> each : work) {
                each.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        // Even ids stay bound; the lowest even id of each scheme wins, all having ranking 0.
        for (int residue = 0; residue < 7; residue++) {
            int lowestEven = residue % 2 == 0 ? residue : residue + 7;
            assertThat(registry.schemes()).containsEntry("s" + residue, "bundle-" + lowestEven);
        }
        assertThat(registry.schemes()).hasSize(7);
    }
}
