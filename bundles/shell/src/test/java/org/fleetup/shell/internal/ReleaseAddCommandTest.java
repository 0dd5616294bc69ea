package org.fleetup.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What fleet:release-add says about a release it stored: its file, kind, and the strategy that will install it. */
class ReleaseAddCommandTest {

    private static final String SHA = "a".repeat(64);

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"application, demo-app-2.0.0.tar.gz, directories",
            "management, demo-app_2.0.0_all.deb, package",
            "os, demo-app-2.0.0-1.noarch.rpm, package",
            "firmware, fw-2.0.0.bin, script"})
    void namesTheKindAndTheStrategyTheProfileWouldUse(String kind, String file, String strategy) {
        assertThat(ReleaseAddCommand.summary(release(kind, file), profile("flash \"$1\"")))
                .isEqualTo("Release demo-app/2.0.0 (" + file + ", kind " + kind + ", 2.0 KiB, sha256 " + SHA
                        + ") is in the store.\nThe profile of demo-app installs it by the " + strategy + " strategy.");
    }

    @Test
    void saysWhatTheProfileLacksToInstallAnImage() {
        assertThat(ReleaseAddCommand.summary(release("bios", "bios-2.0.0.rom"), profile("")))
                .endsWith(" is in the store.\nRelease demo-app/2.0.0 (bios) cannot be installed: the script strategy "
                        + "needs an installCommand, and the product profile has none: set installCommand (and "
                        + "rollbackCommand, for a way back). The profiles are in etc/org.fleetup.profiles.cfg.");
    }

    private static Release release(String kind, String file) {
        return new Release("demo-app", "2.0.0", kind, SHA, 2048, file, Instant.now());
    }

    private static ProductProfile profile(String installCommand) {
        return new ProductProfile("demo-app", "$HOME/demo-app", "cat current/VERSION", "current/bin/demo-app --version",
                "semantic", ProductProfile.DEFAULT_BUSY_MARKER,
                new ProductProfile.Installer("auto", "", installCommand, "", "", "", ""));
    }
}
