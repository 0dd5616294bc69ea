package org.fleetup.ssh.internal;

import java.security.PublicKey;

import org.apache.sshd.common.AttributeRepository.AttributeKey;

/**
 * The host-key verdict of one connection attempt: what was expected, and what the server actually presented, kept so
 * that a refused connection can say which key it saw. Travels with the connection as an attribute of its context.
 */
public final class HostKeyCheck {

    public static final AttributeKey<HostKeyCheck> ATTRIBUTE = new AttributeKey<>();

    private final HostKeyExpectation expected;
    private volatile PublicKey presented;
    private volatile boolean accepted;

    public HostKeyCheck(HostKeyExpectation expected) {
        this.expected = expected;
    }

    /** Called for every key exchange of the connection, the first and any renewal. */
    boolean verify(PublicKey key) {
        presented = key;
        accepted = expected.matches(key);
        return accepted;
    }

    public HostKeyExpectation expected() {
        return expected;
    }

    /** True when the server presented a key and it was not the expected one. */
    public boolean refused() {
        return presented != null && !accepted;
    }

    /** True once the server presented the expected key. */
    public boolean accepted() {
        return presented != null && accepted;
    }

    public PublicKey presented() {
        return presented;
    }
}
