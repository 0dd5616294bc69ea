package org.fleetup.rest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.fleetup.api.FleetupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PageTest {

    private record Item(String name, int size) {
    }

    private static final Map<String, Comparator<? super Item>> FIELDS = Map.of(
            "name", Sorting.by(Item::name), "size", Sorting.by(Item::size));

    private static final List<Item> ITEMS = IntStream.range(0, 600)
            .mapToObj(i -> new Item(String.format("s-%03d", i), i % 7)).toList();

    private static Page<Item> page(String offset, String limit, String sort) {
        return Page.of(ITEMS, offset, limit, sort, FIELDS, "name:ASC");
    }

    @Test
    void noParametersIsTheFirstFiftyInTheDefaultOrder() {
        Page<Item> page = page(null, null, null);

        assertThat(page.items()).hasSize(50);
        assertThat(page.items().get(0).name()).isEqualTo("s-000");
        assertThat(page).extracting(Page::offset, Page::limit, Page::total, Page::sort)
                .containsExactly(0, 50, 600, "name:ASC");
    }

    @Test
    void offsetLimitAndSortChooseThePage() {
        Page<Item> page = page("2", "3", "name:DESC");

        assertThat(page.items()).extracting(Item::name).containsExactly("s-597", "s-596", "s-595");
    }

    @Test
    void aSortWithoutDirectionIsAscendingAndTheDirectionIsCaseBlind() {
        assertThat(page(null, "1", "size").items().get(0).size()).isZero();
        assertThat(page(null, "1", "size:desc").items().get(0).size()).isEqualTo(6);
    }

    @Test
    void anOffsetPastTheEndIsAnEmptyPageThatStillTellsTheTotal() {
        Page<Item> page = page("1000", "10", null);

        assertThat(page.items()).isEmpty();
        assertThat(page.total()).isEqualTo(600);
    }

    @Test
    void theLargestLimitIsFiveHundred() {
        assertThat(page(null, "500", null).items()).hasSize(500);
    }

    @ParameterizedTest
    @CsvSource(value = {"0,limit", "501,limit", "-1,limit", "ten,limit", "2147483648,limit"})
    void aLimitOutOfRangeIsRefused(String limit, String named) {
        assertThatThrownBy(() -> page(null, limit, null))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.INVALID_INPUT))
                .hasMessageContaining("'" + named + "' must be a whole number from 1 to 500");
    }

    @Test
    void aNegativeOffsetIsRefused() {
        assertThatThrownBy(() -> page("-5", null, null)).hasMessageContaining("'offset' must be a whole number");
    }

    @ParameterizedTest
    @CsvSource(value = {"colour:ASC", "name:UP", "name:ASC:DESC", ":ASC"})
    void aSortOnAnUnknownFieldOrDirectionIsRefusedNamingTheFields(String sort) {
        assertThatThrownBy(() -> page(null, null, sort))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.INVALID_INPUT))
                .hasMessageContaining("FIELD one of name, size")
                .hasMessageContaining("not '" + sort + "'");
    }
}
