package org.fleetup.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.junit.jupiter.api.Test;

/** {@code fleet:sim-start --extra VERSION:FAULT[+FAULT]} as an operator writes it. */
class SimStartCommandTest {

    @Test
    void everyFaultIsWrittenInLowerCaseWithDashes() {
        for (Fault fault : Fault.values()) {
            String written = fault.name().toLowerCase(Locale.ROOT).replace('_', '-');

            assertThat(SimStartCommand.spec("1.0.0:" + written)).isEqualTo(new HostSpec("1.0.0", Set.of(fault)));
            assertThat(SimStartCommand.FAULTS).contains(written);
        }
        assertThat(SimStartCommand.FAULTS.split(", ")).hasSize(Fault.values().length);
    }

    @Test
    void sftpOnlyServersRunTheDemosOldVersionsInTurn() {
        assertThat(SimStartCommand.sftpOnly(5)).containsExactly(
                new HostSpec("1.0.0", Set.of(Fault.SFTP_ONLY)), new HostSpec("1.2.3", Set.of(Fault.SFTP_ONLY)),
                new HostSpec("1.4.2", Set.of(Fault.SFTP_ONLY)), new HostSpec("1.9.7", Set.of(Fault.SFTP_ONLY)),
                new HostSpec("1.0.0", Set.of(Fault.SFTP_ONLY)));
        assertThat(SimStartCommand.sftpOnly(0)).isEmpty();
        assertThatThrownBy(() -> SimStartCommand.sftpOnly(-1)).isInstanceOf(FleetupException.class);
    }

    @Test
    void faultsCombineAndNoneIsNothingInstalled() {
        assertThat(SimStartCommand.spec("none:health-fails+drop-after-switch")).isEqualTo(new HostSpec(null,
                Set.of(Fault.HEALTH_FAILS, Fault.DROP_AFTER_SWITCH)));
        assertThatThrownBy(() -> SimStartCommand.spec("1.0.0:slow")).isInstanceOf(FleetupException.class)
                .hasMessageContaining("Unknown fault 'slow': one of disk-full,")
                .hasMessageContaining("reboot");
    }
}
