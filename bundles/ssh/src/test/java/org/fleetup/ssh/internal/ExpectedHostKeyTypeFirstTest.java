package org.fleetup.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExpectedHostKeyTypeFirstTest {

    private static final String OFFERED = "ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp256,ssh-ed25519,"
            + "rsa-sha2-512,rsa-sha2-256,ssh-rsa";

    @Test
    void everyRsaSignatureMovesFirstInTheClientsOrder() {
        assertThat(ExpectedHostKeyTypeFirst.firstOfType("ssh-rsa", OFFERED)).isEqualTo("rsa-sha2-512,rsa-sha2-256,"
                + "ssh-rsa,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp256,ssh-ed25519");
    }

    @Test
    void plainKeyGoesBeforeCertificatesOfItsType() {
        assertThat(ExpectedHostKeyTypeFirst.firstOfType("ecdsa-sha2-nistp256", OFFERED))
                .startsWith("ecdsa-sha2-nistp256,ecdsa-sha2-nistp256-cert-v01@openssh.com,");
    }

    @Test
    void typeNotOfferedLeavesTheOrder() {
        assertThat(ExpectedHostKeyTypeFirst.firstOfType("ecdsa-sha2-nistp521", OFFERED)).isEqualTo(OFFERED);
    }
}
