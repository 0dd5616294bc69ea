package org.fleetup.ssh.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Has HotSpot compile the channels' AES-GCM path for good before the first transfer leans on it. The JDK encrypts with
 * the CPU's AES and carry-less multiply instructions only in code of its second compiler, and a caller that runs once per
 * 32 KiB packet reaches that compiler late: in a 100-server rollout on a fresh controller half of the Java samples of
 * the rollout's threads were the JDK's plain-Java GHASH and counter mode, where the same bytes cost a fortieth once
 * compiled (bench/README.md). Twenty thousand small packets, encrypted on a thread of its own once per client and
 * cipher, when the first connection has agreed on that cipher, get the compiled path ready while the plan's inspections
 * run: about 0.1 s of CPU.
 */
final class CipherWarmUp {

    private static final Logger LOGGER = LoggerFactory.getLogger(CipherWarmUp.class);

    /** Past HotSpot's tier-4 thresholds (15,000 invocations) for the methods one packet calls. */
    static final int PACKETS = 20_000;
    private static final int PACKET_BYTES = 64;
    private static final int AAD_BYTES = 4;

    private final Set<String> started = ConcurrentHashMap.newKeySet();

    /**
     * Starts warming up the cipher named (as SSH names it) on a daemon thread of its own, the first time it is named
     * only; a cipher MINA does not build in is left alone.
     *
     * @return the thread started, or {@code null} when none was
     */
    Thread start(String name) {
        BuiltinCiphers cipher = name == null ? null : BuiltinCiphers.fromFactoryName(name);
        if (cipher == null || !cipher.isSupported() || !started.add(cipher.getName())) {
            return null;
        }
        Thread thread = new Thread(() -> run(cipher), "fleetup-ssh-cipher-warm-up");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Encrypts {@link #PACKETS} small packets as a channel does: a new nonce each, the packet's length as associated
     * data where the cipher authenticates.
     *
     * @return whether every packet was encrypted
     */
    static boolean run(BuiltinCiphers cipher) {
        long begun = System.nanoTime();
        try {
            Cipher encrypt = cipher.create();
            encrypt.init(Cipher.Mode.Encrypt, new byte[encrypt.getKdfSize()], new byte[encrypt.getIVSize()]);
            int tag = encrypt.getAuthenticationTagSize();
            byte[] packet = new byte[AAD_BYTES + PACKET_BYTES + tag];
            for (int i = 0; i < PACKETS; i++) {
                if (tag > 0) {
                    encrypt.updateWithAAD(packet, 0, AAD_BYTES, PACKET_BYTES);
                } else {
                    encrypt.update(packet, AAD_BYTES, PACKET_BYTES);
                }
            }
            LOGGER.debug("{} warmed up with {} packets in {} ms", cipher.getName(), PACKETS,
                    (System.nanoTime() - begun) / 1_000_000);
            return true;
        } catch (Exception e) {
            // Only speed is at stake: the channels encrypt as well without it.
            LOGGER.debug("Warming up {} failed", cipher.getName(), e);
            return false;
        }
    }
}
