package org.fleetup.api.release;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What an artifact is, by its file name: the store checks that its bytes are what the name says, and the install
 * strategy goes by the name ({@link ProductProfile.Installer#strategyFor}). A name of none of these is refused.
 */
public enum ArtifactFormat {

    /** A gzip tar, unpacked into {@code releases/<version>}: any kind. */
    GZIP_TAR(List.of(".tar.gz", ".tgz"), Set.of("application", "bios", "firmware", "management", "os")),
    /** A Debian package, installed by {@code dpkg}: any kind. */
    DEB(List.of(".deb"), Set.of("application", "bios", "firmware", "management", "os")),
    /** An RPM package, installed by {@code rpm}: any kind. */
    RPM(List.of(".rpm"), Set.of("application", "bios", "firmware", "management", "os")),
    /**
     * Opaque bytes (a firmware, BIOS or OS image) that only the profile's install script knows how to write: its
     * SHA-256 is its whole check. Only for the kinds that are such images.
     */
    IMAGE(List.of(".bin", ".img", ".fw", ".rom", ".cap", ".iso"), Set.of("bios", "firmware", "os"));

    private final List<String> extensions;
    private final Set<String> kinds;

    ArtifactFormat(List<String> extensions, Set<String> kinds) {
        this.extensions = extensions;
        this.kinds = kinds;
    }

    /** The file name endings of this format, lower case, the usual one first. */
    public List<String> extensions() {
        return extensions;
    }

    /** Whether a release of {@code kind} may be an artifact of this format. */
    public boolean fits(String kind) {
        return kinds.contains(kind);
    }

    /** Whether the package strategy installs it. */
    public boolean packaged() {
        return this == DEB || this == RPM;
    }

    /** The format {@code fileName} names by its ending, in any case; empty for none of them (or no name). */
    public static Optional<ArtifactFormat> of(String fileName) {
        if (fileName == null) {
            return Optional.empty();
        }
        String name = fileName.toLowerCase(Locale.ROOT);
        for (ArtifactFormat format : values()) {
            if (format.extensions.stream().anyMatch(name::endsWith)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    /** Every ending a release's file may have, for messages: {@code .tar.gz, .tgz, .deb, ...}. */
    public static String allExtensions() {
        return String.join(", ", List.of(values()).stream().flatMap(f -> f.extensions.stream()).toList());
    }
}
