package org.fleetup.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.apache.karaf.features.BundleInfo;
import org.apache.karaf.features.Dependency;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;

/**
 * The core of Fleetup reaches servers through no particular transport: its feature, with every Fleetup feature it
 * pulls in, installs no SSH library, and none of its bundles imports one. The SSH and SFTP transports bring MINA SSHD
 * and their shared SSH client themselves, with the known_hosts reader the import uses.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CoreFeatureIT extends FleetupTestSupport {

    private static final String SSH_LIBRARY = "org.apache.sshd";

    @Test
    public void theCoreFeatureInstallsAndImportsNoSshLibrary() throws Exception {
        FeaturesService features = service(FeaturesService.class);
        List<String> bundles = new ArrayList<>();
        Deque<Feature> pending = new ArrayDeque<>(List.of(features.getFeature("fleetup-core")));
        while (!pending.isEmpty()) {
            Feature feature = pending.pop();
            feature.getBundles().stream().map(BundleInfo::getLocation).forEach(bundles::add);
            for (Dependency dependency : feature.getDependencies()) {
                if (dependency.getName().startsWith("fleetup")) {
                    pending.push(features.getFeature(dependency.getName()));
                }
            }
        }
        assertTrue(bundles.toString(), bundles.stream().anyMatch(location -> location.contains("fleetup-shell")));
        assertEquals(List.of(), bundles.stream().filter(location -> location.contains(SSH_LIBRARY)).toList());

        List<String> importers = new ArrayList<>();
        for (String location : bundles) {
            Bundle bundle = bundleContext.getBundle(location);
            assertNotNull(location + " is installed", bundle);
            String imports = bundle.getHeaders().get(Constants.IMPORT_PACKAGE);
            if (imports != null && imports.contains(SSH_LIBRARY)) {
                importers.add(bundle.getSymbolicName());
            }
        }
        assertEquals("core bundles importing MINA SSHD", List.of(), importers);
    }

    @Test
    public void aKnownHostsFileIsReadByTheSshTransport() throws Exception {
        // Both transports over SSH share the client that reads it: without either, no known_hosts is read.
        service(FeaturesService.class).uninstallFeature("fleetup-transport-sftp");
        service(FeaturesService.class).uninstallFeature("fleetup-transport-ssh");
        Path csv = Files.writeString(Files.createTempFile("servers", ".csv"),
                "name,host,port,user,keyfile\nkh-01,127.0.0.1,22,fleet,/nonexistent\n");
        Path knownHosts = Files.writeString(Files.createTempFile("known_hosts", ""), "");
        Result refused = run("fleet:server-import --csv " + csv + " --known-hosts " + knownHosts);
        assertTrue(refused.all(), refused.failed()
                && refused.error().getMessage().contains("feature:install fleetup-transport-ssh"));
        assertTrue("nothing imported", ok("fleet:server-list").lines().noneMatch(line -> line.contains("kh-01")));

        service(FeaturesService.class).installFeature("fleetup-transport-ssh");
        ok("fleet:server-import --csv " + csv + " --known-hosts " + knownHosts);
        assertTrue(ok("fleet:server-list").contains("kh-01"));
    }
}
