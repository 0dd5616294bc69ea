package org.fleetup.rest.internal;

import java.util.Comparator;
import java.util.function.Function;

/** Comparators for the sortable fields of a resource: a field left empty sorts first. */
final class Sorting {

    private Sorting() {
    }

    static <T, U extends Comparable<? super U>> Comparator<T> by(Function<? super T, ? extends U> field) {
        return Comparator.comparing(field, Comparator.nullsFirst(Comparator.naturalOrder()));
    }
}
