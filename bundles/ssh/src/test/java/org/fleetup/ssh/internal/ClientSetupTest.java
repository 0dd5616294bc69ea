package org.fleetup.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.sshd.common.BaseBuilder;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.junit.jupiter.api.Test;

class ClientSetupTest {

    @Test
    void mlKemIsPreferredToTheCostlierSntrup() {
        assertThat(ClientSetup.KEX_PREFERENCE.indexOf(BuiltinDHFactories.mlkem768x25519))
                .isLessThan(ClientSetup.KEX_PREFERENCE.indexOf(BuiltinDHFactories.sntrup761x25519))
                .isLessThan(ClientSetup.KEX_PREFERENCE.indexOf(BuiltinDHFactories.sntrup761x25519_openssh));
    }

    @Test
    void sntrupComesAfterEveryClassicalExchange() {
        int sntrup = Math.min(ClientSetup.KEX_PREFERENCE.indexOf(BuiltinDHFactories.sntrup761x25519),
                ClientSetup.KEX_PREFERENCE.indexOf(BuiltinDHFactories.sntrup761x25519_openssh));
        assertThat(ClientSetup.KEX_PREFERENCE.indexOf(BuiltinDHFactories.curve25519)).isLessThan(sntrup);
        assertThat(ClientSetup.KEX_PREFERENCE.indexOf(BuiltinDHFactories.ecdhp256)).isLessThan(sntrup);
        assertThat(ClientSetup.KEX_PREFERENCE.subList(sntrup, ClientSetup.KEX_PREFERENCE.size()))
                .containsExactlyInAnyOrder(BuiltinDHFactories.sntrup761x25519,
                        BuiltinDHFactories.sntrup761x25519_openssh);
    }

    @Test
    void keyExchangesAreMinasOwnReordered() {
        assertThat(ClientSetup.KEX_PREFERENCE).containsExactlyInAnyOrderElementsOf(
                BaseBuilder.DEFAULT_KEX_PREFERENCE);
    }
}
