package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.api.rollout.Wave;
import org.junit.jupiter.api.Test;

class WavePlanTest {

    private static final List<String> SERVERS = List.of("web-03", "web-01", "web-04", "web-02");

    @Test
    void theDefaultsMakeACanaryOfOneThenWavesOfAQuarterEachStoppedByItsFirstError() {
        List<Wave> waves = WavePlan.waves("r", 10, RolloutOptions.defaults(5, false));

        assertThat(waves).extracting(Wave::number, Wave::size, Wave::maxErrors)
                .containsExactly(tuple(1, 1, 1), tuple(2, 3, 1), tuple(3, 3, 1), tuple(4, 3, 1));
    }

    @Test
    void noCanaryAndOneWaveOfAllIsTheRolloutOfOldWithItsMaxErrorsOfTheWhole() {
        List<Wave> waves = WavePlan.waves("r", 13, new RolloutOptions(Size.count(0), Size.percent(100),
                Size.percent(100), OnError.PAUSE, ServerOrder.NAME, 5, false));

        assertThat(waves).extracting(Wave::number, Wave::size, Wave::maxErrors).containsExactly(tuple(1, 13, 13));
    }

    @Test
    void theFastestLastTransferComesFirstThenThoseNeverMeasuredByName() {
        Map<String, Double> rates = Map.of("web-04", 10.0, "web-02", 1000.0);

        assertThat(WavePlan.order(SERVERS, ServerOrder.SPEED, rates, new Random(1)))
                .containsExactly("web-02", "web-04", "web-01", "web-03");
        assertThat(WavePlan.order(SERVERS, ServerOrder.NAME, rates, new Random(1)))
                .containsExactly("web-01", "web-02", "web-03", "web-04");
        assertThat(WavePlan.order(SERVERS, ServerOrder.RANDOM, Map.of(), new Random(1)))
                .containsExactlyInAnyOrderElementsOf(SERVERS);
    }

    @Test
    void aKnownRateComesFirstThenTheLowestRoundTripThenTheName() {
        Map<String, Double> rates = Map.of("web-04", 10.0);
        Map<String, Duration> trips = Map.of("web-04", Duration.ofMillis(1), "web-03", Duration.ofMillis(300),
                "web-02", Duration.ofMillis(20));

        assertThat(WavePlan.order(SERVERS, ServerOrder.SPEED, rates, trips, new Random(1)))
                .containsExactly("web-04", "web-02", "web-03", "web-01");
    }
}
