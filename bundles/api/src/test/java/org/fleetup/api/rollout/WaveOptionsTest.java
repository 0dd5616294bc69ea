package org.fleetup.api.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.fleetup.api.FleetupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The wave options as operators type them, and what is refused with a message naming the option. */
class WaveOptionsTest {

    @Test
    void nothingGivenIsTheDefaults() {
        assertThat(WaveOptions.parse(null, null, null, null, null, 10, false))
                .isEqualTo(RolloutOptions.defaults(10, false));
    }

    @Test
    void countsPercentagesAndTheirSpellingsAreRead() {
        RolloutOptions options = WaveOptions.parse("2", "25%", "10PCT", "Abort", "name", 4, true);

        assertThat(options).isEqualTo(new RolloutOptions(Size.count(2), Size.percent(25), Size.percent(10),
                OnError.ABORT, ServerOrder.NAME, 4, true));
        assertThat(WaveOptions.size("--wave", " 50pct ", null)).isEqualTo(Size.percent(50));
    }

    @ParameterizedTest
    @ValueSource(strings = {"25%%", "abc", "-1", "101%", "2.5", "%25", ""})
    void aSizeThatIsNeitherACountNorAPercentageIsRefusedNamingTheOption(String written) {
        assertThatThrownBy(() -> WaveOptions.parse(null, null, written, null, null, 10, false))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("--max-errors '" + written + "'")
                .hasMessageContaining("'25%' quoted, or 25pct")
                .extracting(e -> ((FleetupException) e).code()).isEqualTo(FleetupException.INVALID_INPUT);
    }

    @Test
    void aWaveOfNoServerIsRefused() {
        assertThatThrownBy(() -> WaveOptions.parse(null, "0%", null, null, null, 10, false))
                .isInstanceOf(FleetupException.class).hasMessageContaining("--wave 0% takes no server");
    }

    @Test
    void anUnknownChoiceIsRefusedListingTheChoices() {
        assertThatThrownBy(() -> WaveOptions.parse(null, null, null, "retry", null, 10, false))
                .hasMessageContaining("--on-error 'retry' is none of pause, abort");
        assertThatThrownBy(() -> WaveOptions.parse(null, null, null, null, "fast", 10, false))
                .hasMessageContaining("--order 'fast' is none of speed, name, random");
        assertThatThrownBy(() -> WaveOptions.parse(null, null, null, null, null, 0, false))
                .hasMessageContaining("--parallel must be at least 1");
    }
}
