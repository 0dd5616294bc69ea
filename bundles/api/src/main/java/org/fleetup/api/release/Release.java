package org.fleetup.api.release;

import java.time.Instant;
import java.util.Objects;

/**
 * A version of a product, kept in the store.
 *
 * @param product the product ({@code demo-app})
 * @param version the version as its scheme writes it ({@code 2.0.0})
 * @param kind {@code application}, {@code firmware}, {@code bios}, {@code management} or {@code os}
 * @param sha256 the SHA-256 of the artifact, lower-case hex; the store keeps the bytes under it
 * @param size the artifact's size in bytes
 * @param fileName the name the artifact was added under
 * @param addedAt when it was committed to the store
 */
public record Release(String product, String version, String kind, String sha256, long size, String fileName,
                      Instant addedAt) {

    public static final String DEFAULT_KIND = "application";

    public Release {
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(sha256, "sha256");
        kind = kind == null || kind.isBlank() ? DEFAULT_KIND : kind;
    }

    /** {@code product/version}, the way operators name a release. */
    public String coordinates() {
        return product + "/" + version;
    }
}
