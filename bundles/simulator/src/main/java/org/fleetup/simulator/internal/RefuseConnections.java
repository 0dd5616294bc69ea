package org.fleetup.simulator.internal;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link org.fleetup.api.simulator.Fault#REFUSE_CONNECTIONS}: closes every session as soon as it is created. */
final class RefuseConnections implements SessionListener {

    private static final Logger LOGGER = LoggerFactory.getLogger(RefuseConnections.class);

    private final String host;

    RefuseConnections(String host) {
        this.host = host;
    }

    @Override
    public void sessionCreated(Session session) {
        LOGGER.info("Simulated host {} refuses the connection from {}", host,
                session.getIoSession().getRemoteAddress());
        session.close(true);
    }
}
