package org.fleetup.api.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TransportUseTest {

    @Test
    void everyTransportWithItsServersAndEverySchemeServersUseWithoutOne() {
        List<TransportInfo> transports = List.of(
                new TransportInfo("http", "fleetup-transport-http", "0.1.1"),
                new TransportInfo("ssh", "fleetup-transport-ssh", "0.1.0.SNAPSHOT"));

        List<TransportUse> uses = TransportUse.of(transports, Map.of("ssh", 3, "sftp", 2, "gone", 0));

        assertThat(uses).containsExactly(
                new TransportUse("http", "fleetup-transport-http", "0.1.1", 0),
                new TransportUse("sftp", null, null, 2),
                new TransportUse("ssh", "fleetup-transport-ssh", "0.1.0.SNAPSHOT", 3));
        assertThat(uses.get(1).available()).isFalse();
    }
}
