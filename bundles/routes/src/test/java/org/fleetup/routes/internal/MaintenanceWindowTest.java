package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Map;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.ClusterWindow;
import org.junit.jupiter.api.Test;

/** A window as an operator writes it: when it is open, when it opens next, and what a mistyped one says. */
class MaintenanceWindowTest {

    private static Instant paris(String local) {
        return ZonedDateTime.parse(local + "[Europe/Paris]").toInstant();
    }

    @Test
    void aWeekdayNightWindowIsOpenOnlyInItsHoursOnItsDaysOnItsZonesClock() {
        MaintenanceWindow window = MaintenanceWindow.parse("defaultWindow", "Mon-Fri 02:00 3h Europe/Paris");

        // 2026-12-07 is a Monday.
        assertThat(window.isOpen(paris("2026-12-07T01:59:59+01:00"))).isFalse();
        assertThat(window.isOpen(paris("2026-12-07T02:00:00+01:00"))).isTrue();
        assertThat(window.isOpen(paris("2026-12-07T04:59:59+01:00"))).isTrue();
        assertThat(window.isOpen(paris("2026-12-07T05:00:00+01:00"))).isFalse();
        assertThat(window.isOpen(Instant.parse("2026-12-07T01:30:00Z"))).as("02:30 in Paris").isTrue();
        assertThat(window.isOpen(paris("2026-12-12T03:00:00+01:00"))).as("a Saturday").isFalse();

        assertThat(window.nextOpening(paris("2026-12-07T10:00:00+01:00")))
                .isEqualTo(paris("2026-12-08T02:00:00+01:00"));
        assertThat(window.nextOpening(paris("2026-12-11T06:00:00+01:00"))).as("Friday, after it: Monday")
                .isEqualTo(paris("2026-12-14T02:00:00+01:00"));
        assertThat(window.nextOpening(paris("2026-12-07T03:00:00+01:00"))).as("open now")
                .isEqualTo(paris("2026-12-07T03:00:00+01:00"));
    }

    @Test
    void aWindowRunsPastMidnightAndItsDaysWrapPastSunday() {
        MaintenanceWindow window = MaintenanceWindow.parse("cluster.db", "sun-mon 22:30 6h UTC");

        assertThat(window.isOpen(Instant.parse("2026-12-07T03:00:00Z"))).as("Monday 03:00, from Sunday").isTrue();
        assertThat(window.isOpen(Instant.parse("2026-12-08T03:00:00Z"))).as("Tuesday 03:00, from Monday").isTrue();
        assertThat(window.isOpen(Instant.parse("2026-12-09T03:00:00Z"))).as("Wednesday").isFalse();
        assertThat(window.nextOpening(Instant.parse("2026-12-08T05:00:00Z")))
                .isEqualTo(Instant.parse("2026-12-13T22:30:00Z"));
    }

    @Test
    void theWallClockHoldsAcrossADaylightSavingChange() {
        MaintenanceWindow window = MaintenanceWindow.parse("defaultWindow", "* 02:30 1h Europe/Paris");

        // 2026-03-29 02:30 does not exist in Paris: the clocks jump an hour, and the window opens an hour later.
        assertThat(window.nextOpening(paris("2026-03-29T01:00:00+01:00")))
                .isEqualTo(paris("2026-03-29T03:30:00+02:00"));
        assertThat(window.isOpen(paris("2026-03-30T02:45:00+02:00"))).isTrue();
        assertThat(window.isOpen(Instant.parse("2026-03-30T00:15:00Z"))).as("02:15 UTC+2 is before it").isFalse();
    }

    @Test
    void aWindowThatCannotBeReadIsRefusedNamingItsKeyAndWhatIsWrong() {
        assertThatThrownBy(() -> MaintenanceWindow.parse("cluster.db", "Mon-Fri 2am 3h Europe/Paris"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TIME_INVALID))
                .hasMessageStartingWith("Maintenance window cluster.db = 'Mon-Fri 2am 3h Europe/Paris' cannot be"
                        + " read: '2am' is not a time of day HH:MM. Write it as DAYS HH:MM DURATION ZONE");
        assertThatThrownBy(() -> MaintenanceWindow.parse("defaultWindow", "Mon-Fry 02:00 3h Europe/Paris"))
                .hasMessageContaining("defaultWindow").hasMessageContaining("'Fry' is not a day");
        assertThatThrownBy(() -> MaintenanceWindow.parse("defaultWindow", "Mon 02:00 3h Europe/Pariss"))
                .hasMessageContaining("'Europe/Pariss' is not a time zone");
        assertThatThrownBy(() -> MaintenanceWindow.parse("defaultWindow", "Mon 02:00 3 Europe/Paris"))
                .hasMessageContaining("'3' is not a duration");
        assertThatThrownBy(() -> MaintenanceWindow.parse("defaultWindow", "Mon 02:00 200h UTC"))
                .hasMessageContaining("not between 1 minute and 7 days");
        assertThatThrownBy(() -> MaintenanceWindow.parse("defaultWindow", "Mon 02:00 3h"))
                .hasMessageContaining("it has 3 parts where 4 are needed");
        assertThatThrownBy(() -> MaintenanceWindow.parse("defaultWindow", "Mon 24:00 3h UTC"))
                .hasMessageContaining("'24:00' is not a time of day");
    }

    @Test
    void aClusterWithoutAWindowOfItsOwnHasTheDefaultAndOneSetToAlwaysIsAlwaysOpen() {
        MaintenanceWindows windows = MaintenanceWindows.of(Map.of("defaultWindow", "Sat 01:00 1h UTC",
                "cluster.lab", "always", "cluster.db", "Sun 01:00 1h UTC", "service.pid", "org.fleetup.windows"));
        Instant wednesday = Instant.parse("2026-12-09T12:00:00Z");

        assertThat(windows.closed("lab", wednesday)).isEmpty();
        assertThat(windows.closed("web", wednesday)).hasValueSatisfying(closed -> {
            assertThat(closed.opensAt()).isEqualTo(Instant.parse("2026-12-12T01:00:00Z"));
            assertThat(closed.why()).isEqualTo("waits for the maintenance window of cluster web (Sat 01:00 1h UTC),"
                    + " which opens at 2026-12-12T01:00Z");
        });
        assertThat(windows.closed("db", wednesday)).hasValueSatisfying(closed ->
                assertThat(closed.opensAt()).isEqualTo(Instant.parse("2026-12-13T01:00:00Z")));
        assertThat(MaintenanceWindows.of(Map.of("defaultWindow", "")).alwaysOpen()).isTrue();

        assertThatThrownBy(() -> MaintenanceWindows.of(Map.of("defaultWindow", "", "cluster.db", "weekends")))
                .hasMessageContaining("cluster.db = 'weekends'");
    }

    @Test
    void theWindowsAreListedDefaultFirstWithWhetherEachIsOpenAndWhenItOpensNext() {
        WindowSettings settings = new WindowSettings(Map.of("defaultWindow", "Sat 01:00 1h UTC",
                "cluster.web", "* 11:00 2h UTC", "cluster.lab", "always"));
        Instant wednesday = Instant.parse("2026-12-09T12:00:00Z");

        assertThat(settings.windows(wednesday)).containsExactly(
                new ClusterWindow(null, "Sat 01:00 1h UTC", false, Instant.parse("2026-12-12T01:00:00Z"), null),
                new ClusterWindow("lab", "always", true, wednesday, null),
                new ClusterWindow("web", "* 11:00 2h UTC", true, wednesday, null));

        settings.modified(Map.of("defaultWindow", "Sat 1h"));
        assertThat(settings.windows(wednesday)).singleElement().satisfies(broken -> {
            assertThat(broken.open()).isFalse();
            assertThat(broken.problem()).startsWith("Maintenance window defaultWindow = 'Sat 1h' cannot be read");
        });
    }
}
