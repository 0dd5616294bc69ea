package org.fleetup.agent;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

import org.fleetup.agent.protocol.TlsIdentity;

/**
 * How the push agent was started ({@code java -jar fleetup-agent.jar push ...}, see {@link Main#USAGE}).
 *
 * @param listen where the HTTP API listens; port 0 takes a free one, printed at start
 * @param root the application root: {@code releases/<version>/}, {@code current}, {@code staging/} are under it
 * @param trust the trust file: the controller keys whose orders are carried out
 * @param state the state file: the last accepted sequence, the orders and their journals
 * @param id the agent's id, as orders address it
 * @param product the product this agent installs
 * @param kind the kind of software it installs
 * @param scheme the product's version scheme (semantic, maven, debian, serial, date)
 * @param healthCommand prints the version of the release {@code current} points to once it runs, run in the root
 * @param restartCommand brings the release {@code current} points to to run, after a switch and a switch back;
 *        {@code ""} for none
 * @param healthUrl when not empty, the health check fetches it instead of running {@code healthCommand}
 * @param busyMarker a path that exists while the server is busy, relative to the root
 * @param installableWait how long a busy server is waited for before the order ends "cannot install"
 * @param commandTimeout how long one command of the install may run
 * @param downloadStall how long the artifact's download may go without a byte before it is resumed
 * @param tls the key and certificate the API is served with over HTTPS; {@code null}: plain HTTP
 */
record AgentOptions(InetSocketAddress listen, Path root, Path trust, Path state, String id, String product,
                    String kind, String scheme, String healthCommand, String restartCommand, String healthUrl,
                    String busyMarker, Duration installableWait, Duration commandTimeout, Duration downloadStall,
                    TlsIdentity tls) {
}
