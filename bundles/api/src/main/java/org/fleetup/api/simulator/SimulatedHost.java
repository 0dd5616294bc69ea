package org.fleetup.api.simulator;

import java.nio.file.Path;
import java.util.Set;

/**
 * One simulated server: a real SSH server on a loopback port, with its own root directory and host key.
 *
 * @param name its name in the inventory
 * @param port its loopback port
 * @param root its root directory, also its {@code $HOME}
 * @param version the version of the demo application installed at start, {@code null} when none was
 * @param faults what is wrong with it
 * @param hostKey its public host key, OpenSSH form
 */
public record SimulatedHost(String name, int port, Path root, String version, Set<Fault> faults, String hostKey) {
}
