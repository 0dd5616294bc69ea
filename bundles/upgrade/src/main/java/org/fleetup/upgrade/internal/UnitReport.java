package org.fleetup.upgrade.internal;

import java.util.List;
import java.util.Optional;

/**
 * What a {@link SwitchUnit}'s journal on the server says: whether the unit started, still runs, switched, what its
 * health check found, and how it ended.
 *
 * @param started its journal exists
 * @param previous where {@code current} pointed before the unit switched it ({@code ""} for none), or {@code null}
 * @param alive its process still runs
 * @param switched the last target it pointed {@code current} to, or {@code null}
 * @param healthProblem why the health check failed, or {@code null}
 * @param end its last word when it ended ({@code switched-healthy}, {@code rolled-back}, ...), or {@code null}
 * @param endDetail what the end line says after its word, or {@code ""}
 * @param removalProblem why the failed release could not be removed, or {@code null}
 */
record UnitReport(boolean started, String previous, boolean alive, String switched, String healthProblem, String end,
                  String endDetail, String removalProblem) {

    static final String ALIVE = "fleetup-unit-alive";
    static final String ABSENT = "fleetup-unit-absent";

    static final String SWITCHED_HEALTHY = "switched-healthy";
    static final String ROLLED_BACK = "rolled-back";
    static final String ROLLED_BACK_UNHEALTHY = "rolled-back-unhealthy";
    static final String ROLLBACK_FAILED = "rollback-failed";
    static final String NOTHING_TO_ROLL_BACK = "nothing-to-roll-back";
    /** Switched to the release, not checked: the reboot into it comes next. */
    static final String SWITCHED_UNCHECKED = "switched-unchecked";
    /** Switched back to the previous release, not checked: the reboot into it comes next. */
    static final String SWITCHED_BACK_UNCHECKED = "switched-back-unchecked";

    private static final List<String> ENDS = List.of(SWITCHED_HEALTHY, ROLLED_BACK, ROLLED_BACK_UNHEALTHY,
            ROLLBACK_FAILED, NOTHING_TO_ROLL_BACK, SWITCHED_UNCHECKED, SWITCHED_BACK_UNCHECKED);

    /** Reads what {@link SwitchUnit#read} printed. */
    static UnitReport parse(String printed) {
        boolean started = true;
        boolean alive = false;
        String previous = null;
        String switched = null;
        String health = null;
        String end = null;
        String endDetail = "";
        String removal = null;
        for (String line : printed.lines().toList()) {
            String word = line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line;
            String rest = line.contains(" ") ? line.substring(line.indexOf(' ') + 1) : "";
            switch (word) {
                case ABSENT -> started = false;
                case ALIVE -> alive = true;
                case "previous" -> previous = rest;
                case "switched" -> switched = rest;
                case "health" -> health = rest.startsWith("failed ") ? rest.substring("failed ".length()) : null;
                case "removal-failed" -> removal = rest;
                default -> {
                    if (ENDS.contains(word)) {
                        end = word;
                        endDetail = rest;
                    }
                }
            }
        }
        return new UnitReport(started, previous, alive, switched, health, end, endDetail, removal);
    }

    boolean ended() {
        return end != null;
    }

    /** Started, no longer running, and never ended: killed, or the server went down under it. */
    boolean died() {
        return started && !alive && end == null;
    }

    Optional<String> removal() {
        return Optional.ofNullable(removalProblem).map(p -> "; " + p);
    }
}
