package org.fleetup.ssh.internal;

import java.net.SocketAddress;
import java.security.PublicKey;

import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a server's host key only when it is the one its record expects, as carried by the connection's
 * {@link HostKeyCheck}. A connection without one, or a server without a known key, is refused: never silent trust.
 */
public final class ExpectedHostKeyVerifier implements ServerKeyVerifier {

    private static final Logger LOGGER = LoggerFactory.getLogger(ExpectedHostKeyVerifier.class);

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        AttributeRepository context = session.getConnectionContext();
        HostKeyCheck check = context == null ? null : context.getAttribute(HostKeyCheck.ATTRIBUTE);
        if (check == null) {
            LOGGER.warn("Refusing the host key of {}: the connection carries no expected key", remoteAddress);
            return false;
        }
        boolean accepted = check.verify(serverKey);
        if (!accepted) {
            LOGGER.warn("Refusing the host key {} {} of {}", KeyUtils.getKeyType(serverKey),
                    KeyUtils.getFingerPrint(serverKey), remoteAddress);
        }
        return accepted;
    }
}
