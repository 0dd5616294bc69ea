package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;

import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Release;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseCatalogTest {

    private static final Instant ADDED = TestDatabases.kept(Instant.parse("2026-11-24T10:15:30.123456789Z"));

    @TempDir
    Path dir;

    private InventoryDatabase database;
    private JdbcInventory catalog;

    @BeforeEach
    void open() {
        database = TestDatabases.open(dir);
        catalog = new JdbcInventory(database);
    }

    @AfterEach
    void close() {
        database.close();
    }

    private static Release release(String product, String version, String sha256, Instant addedAt) {
        return new Release(product, version, "firmware", sha256, 4096, product + "-" + version + ".tar.gz", addedAt);
    }

    @Test
    void addedReleaseIsFoundWithItsTimeToTheDatabasesFinestUnit() {
        Release release = release("demo-app", "2.0.0", "ab".repeat(32), ADDED);

        catalog.addRelease(release);

        assertThat(catalog.release("demo-app", "2.0.0")).contains(release);
        assertThat(catalog.release("demo-app", "9.9.9")).isEmpty();
    }

    @Test
    void addingTheSameReleaseAgainChangesNothing() {
        Release release = release("demo-app", "2.0.0", "ab".repeat(32), ADDED);
        catalog.addRelease(release);

        catalog.addRelease(release("demo-app", "2.0.0", "ab".repeat(32), ADDED.plusSeconds(5)));

        assertThat(catalog.releases()).containsExactly(release);
    }

    @Test
    void otherContentUnderAnExistingVersionIsRefused() {
        catalog.addRelease(release("demo-app", "2.0.0", "ab".repeat(32), ADDED));

        assertThatThrownBy(() -> catalog.addRelease(release("demo-app", "2.0.0", "cd".repeat(32), ADDED)))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_CONFLICT))
                .hasMessageContaining("demo-app/2.0.0");
    }

    @Test
    void releasesAreOrderedByProductThenByWhenTheyWereAdded() {
        catalog.addRelease(release("demo-app", "1.10.0", "01".repeat(32), ADDED.plusSeconds(20)));
        catalog.addRelease(release("bios", "7", "02".repeat(32), ADDED.plusSeconds(30)));
        catalog.addRelease(release("demo-app", "1.9.0", "03".repeat(32), ADDED.plusSeconds(10)));

        assertThat(catalog.releases()).extracting(Release::coordinates)
                .containsExactly("bios/7", "demo-app/1.9.0", "demo-app/1.10.0");
    }
}
