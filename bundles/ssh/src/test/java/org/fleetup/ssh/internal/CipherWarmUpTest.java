package org.fleetup.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the warm-up does is for the JIT only: here, that it runs as a channel encrypts, once per cipher agreed on. */
class CipherWarmUpTest {

    @ParameterizedTest
    @EnumSource(names = {"aes128gcm", "aes256gcm", "aes128ctr", "aes256ctr"})
    void everyPacketIsEncryptedAsAChannelDoes(BuiltinCiphers cipher) {
        assertThat(CipherWarmUp.run(cipher)).isTrue();
    }

    @Test
    void aCipherIsWarmedUpOnceWhateverTheConnections() throws InterruptedException {
        CipherWarmUp warmUp = new CipherWarmUp();

        Thread first = warmUp.start(BuiltinCiphers.aes128gcm.getName());

        assertThat(first).isNotNull();
        assertThat(warmUp.start(BuiltinCiphers.aes128gcm.getName())).as("a second connection's").isNull();
        first.join(60_000);
        assertThat(first.isAlive()).as("the warm-up still runs after 60 s").isFalse();
        Thread other = warmUp.start(BuiltinCiphers.aes256ctr.getName());
        assertThat(other).as("another cipher's").isNotNull();
        other.join(60_000);
        assertThat(other.isAlive()).as("the warm-up still runs after 60 s").isFalse();
    }

    @Test
    void aCipherMinaDoesNotBuildInIsLeftAlone() {
        CipherWarmUp warmUp = new CipherWarmUp();

        assertThat(warmUp.start("rijndael-cbc@lysator.liu.se")).isNull();
        assertThat(warmUp.start(null)).isNull();
    }
}
