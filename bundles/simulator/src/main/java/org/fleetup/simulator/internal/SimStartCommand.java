package org.fleetup.simulator.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.FleetupException;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.simulator.Simulator;
import org.fleetup.simulator.DemoApplication;

@Command(scope = "fleet", name = "sim-start",
        description = "Starts a simulated fleet of real SSH servers on loopback and adds them to the inventory")
@Service
public class SimStartCommand implements Action {

    /** Stands for "no version" in {@code --extra}: the server's root is empty. */
    static final String NOTHING_INSTALLED = "none";

    /** Every fault as {@code --extra} writes it. */
    static final String FAULTS = "disk-full, drop-connection, refuse-connections, health-fails, health-hangs,"
            + " drop-after-switch, rollback-fails, busy, read-only, corrupt-transfer, hung, reboot, sftp-only";

    @Reference
    private Simulator simulator;

    @Option(name = "--prefix", description = "The servers are named PREFIX-01, PREFIX-02, ...")
    private String prefix = "sim";

    @Option(name = "--version", description = "All COUNT servers run this version, instead of the demo's mix")
    private String version;

    @Option(name = "--extra", multiValued = true,
            description = "One more server, VERSION[:FAULT[+FAULT]], faults " + SimStartCommand.FAULTS
                    + "; e.g. 1.2.0:health-fails+drop-after-switch; VERSION " + NOTHING_INSTALLED
                    + " for a server with nothing installed")
    private List<String> extras;

    @Option(name = "--sftp-only", description = "This many more servers offer SFTP only, no shell (as OpenSSH's "
            + "ForceCommand internal-sftp), on the demo's old versions; they are added as sftp://127.0.0.1:PORT")
    private int sftpOnly;

    @Argument(index = 0, name = "count", required = true,
            description = "How many servers; the demo's mix (at least 6): most on 1.x, two at 2.0.0, one at 2.0.1, "
                    + "one with a full disk, one dropping the connection")
    private int count;

    @Override
    public Object execute() {
        List<HostSpec> specs = new ArrayList<>(version == null
                ? simulator.demoMix(count)
                : Collections.nCopies(count, new HostSpec(version, Set.of())));
        if (extras != null) {
            extras.stream().map(SimStartCommand::spec).forEach(specs::add);
        }
        specs.addAll(sftpOnly(sftpOnly));
        List<SimulatedHost> hosts = simulator.start(prefix, specs);
        ShellTable table = new ShellTable();
        table.column("Server");
        table.column("Port");
        table.column("Version");
        table.column("Faults");
        table.column("Root");
        hosts.forEach(h -> table.addRow().addContent(h.name(), h.port(),
                h.version() == null ? NOTHING_INSTALLED : h.version(),
                h.faults().isEmpty() ? "" : h.faults().toString(), h.root()));
        table.print(System.out);
        System.out.println(hosts.size() + " simulated servers started on 127.0.0.1 and added to the inventory,"
                + " with their host keys.");
        return null;
    }

    /** {@code count} SFTP-only servers, on the demo's old versions in turn. */
    static List<HostSpec> sftpOnly(int count) {
        if (count < 0) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "--sftp-only takes a count of 0 or more, not "
                    + count);
        }
        List<HostSpec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            specs.add(new HostSpec(DemoApplication.OLD_VERSIONS.get(i % DemoApplication.OLD_VERSIONS.size()),
                    Set.of(Fault.SFTP_ONLY)));
        }
        return specs;
    }

    static HostSpec spec(String text) {
        String[] parts = text.split(":", 2);
        Set<Fault> faults = EnumSet.noneOf(Fault.class);
        if (parts.length == 2) {
            for (String fault : parts[1].split("\\+")) {
                try {
                    faults.add(Fault.valueOf(fault.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
                } catch (IllegalArgumentException e) {
                    throw new FleetupException(FleetupException.INVALID_INPUT, "Unknown fault '" + fault
                            + "': one of " + FAULTS);
                }
            }
        }
        return new HostSpec(NOTHING_INSTALLED.equals(parts[0]) ? null : parts[0], faults);
    }
}
