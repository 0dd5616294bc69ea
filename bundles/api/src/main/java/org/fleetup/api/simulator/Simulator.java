package org.fleetup.api.simulator;

import java.nio.file.Path;
import java.util.List;

/**
 * Simulated fleets for the demo and the tests. Started servers are registered in the inventory with their host
 * keys, as provisioning would.
 */
public interface Simulator {

    /** The product the simulated servers run. */
    String PRODUCT = "demo-app";

    /**
     * Starts one server per spec, named {@code <prefix>-01}, {@code <prefix>-02}, ... and registers them. The
     * simulator replaces only inventory records it made: when a name belongs to another record, such as a real server,
     * it fails with {@link org.fleetup.api.FleetupException#SERVER_INVALID} naming that server and starts nothing.
     *
     * @return the hosts started, in order
     */
    List<SimulatedHost> start(String prefix, List<HostSpec> specs);

    /**
     * The demo's mix of {@code count} servers (at least 6): most on 1.x, two at 2.0.0, one at 2.0.1, one with a full
     * disk, one that drops the connection mid-transfer.
     */
    List<HostSpec> demoMix(int count);

    /** Writes a release of the demo application, a gzip tar with its {@code MANIFEST.sha256}. */
    Path writeRelease(String version, Path target);

    List<SimulatedHost> hosts();

    /** Stops every simulated server and forgets them (they stay in the inventory, unreachable). */
    void stop();
}
