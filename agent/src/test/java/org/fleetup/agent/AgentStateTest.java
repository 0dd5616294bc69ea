package org.fleetup.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentStateTest {

    @TempDir
    Path temp;

    @Test
    void whatWasRecordedIsReadBackByTheNextStart() {
        Path file = temp.resolve("state/agent.state");
        AgentState state = AgentState.load(file);
        AgentState.Order order = state.accept(8, "signed text\nwith lines = and : signs\n");
        state.journal(order, Map.of("unit", "u-1", "staging", "/opt/app/staging/a b.tar.gz"));
        state.step(order, OrderStatus.HEALTH, "running the check");
        Map<String, String> removal = new HashMap<>();
        removal.put("staging", null);
        state.journal(order, removal);

        AgentState again = AgentState.load(file);

        assertThat(again.lastSequence()).isEqualTo(8);
        AgentState.Order read = again.order("8").orElseThrow();
        assertThat(read.signed).isEqualTo("signed text\nwith lines = and : signs\n");
        assertThat(read.status).isEqualTo(OrderStatus.HEALTH);
        assertThat(again.journal(read)).isEqualTo(Map.of("unit", "u-1"));
        assertThat(again.steps(read)).extracting(AgentState.Step::status)
                .containsExactly(OrderStatus.ACCEPTED, OrderStatus.HEALTH);
        assertThat(again.unfinished()).extracting(o -> o.id).containsExactly("8");
        assertThat(file.resolveSibling("agent.state.tmp")).doesNotExist();
    }

    @Test
    void onlyTheNewestFinishedOrdersAreKeptButNeverTheSequence() {
        Path file = temp.resolve("agent.state");
        AgentState state = AgentState.load(file);
        for (int sequence = 1; sequence <= AgentState.KEPT_FINISHED + 5; sequence++) {
            state.step(state.accept(sequence, "order " + sequence), OrderStatus.DONE, "done");
        }
        state.accept(1000, "the last");

        AgentState again = AgentState.load(file);

        assertThat(again.lastSequence()).isEqualTo(1000);
        assertThat(again.order("1000")).isPresent();
        assertThat(again.order(Integer.toString(AgentState.KEPT_FINISHED + 5))).isPresent();
        assertThat(again.order("5")).isEmpty();
        assertThat(Files.exists(file)).isTrue();
    }
}
