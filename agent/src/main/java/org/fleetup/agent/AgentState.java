package org.fleetup.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BiConsumer;

import org.fleetup.api.FleetupException;

/**
 * What the agent must remember across restarts: the sequence of the last order it accepted (no replay, ever), and
 * every order's status, steps and install journal (so that an install a restart cut short is finished). Kept in one
 * properties file, replaced whole and durably (temporary file, fsync, atomic rename, fsync of the directory) before
 * the agent acts on a change.
 */
final class AgentState {

    /** One step an order went through. */
    record Step(OrderStatus status, String detail, Instant at) {
    }

    /** One accepted order: its signed text, where it stands, and what its install recorded. */
    static final class Order {
        final String id;
        final String signed;
        OrderStatus status = OrderStatus.ACCEPTED;
        String detail = "";
        final List<Step> steps = new ArrayList<>();
        final Map<String, String> journal = new HashMap<>();

        Order(String id, String signed) {
            this.id = id;
            this.signed = signed;
        }
    }

    /** How many finished orders are kept for {@code GET /orders/{id}}. */
    static final int KEPT_FINISHED = 100;

    private final Path file;
    private long lastSequence;
    private final Map<String, Order> orders = new LinkedHashMap<>();
    private volatile BiConsumer<Order, Step> listener = (order, step) -> { };

    private AgentState(Path file) {
        this.file = file;
    }

    /** Reads the state file, or starts empty when there is none yet. */
    static AgentState load(Path file) {
        AgentState state = new AgentState(file);
        if (!Files.exists(file)) {
            return state;
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the agent's state " + file, e);
        }
        state.lastSequence = Long.parseLong(properties.getProperty("lastSequence", "0"));
        for (String id : properties.getProperty("orders", "").split(",")) {
            if (id.isEmpty()) {
                continue;
            }
            String prefix = "order." + id + ".";
            Order order = new Order(id, properties.getProperty(prefix + "signed"));
            order.status = OrderStatus.ofWord(properties.getProperty(prefix + "status"));
            order.detail = properties.getProperty(prefix + "detail", "");
            int steps = Integer.parseInt(properties.getProperty(prefix + "steps", "0"));
            for (int i = 0; i < steps; i++) {
                String step = prefix + "step." + i + ".";
                order.steps.add(new Step(OrderStatus.ofWord(properties.getProperty(step + "status")),
                        properties.getProperty(step + "detail"), Instant.parse(properties.getProperty(step + "at"))));
            }
            String journal = prefix + "journal.";
            properties.stringPropertyNames().stream().filter(k -> k.startsWith(journal))
                    .forEach(k -> order.journal.put(k.substring(journal.length()), properties.getProperty(k)));
            state.orders.put(id, order);
        }
        return state;
    }

    /** Told of every step written from now on (the pull agent reports them to its patch server), after it is saved. */
    void listen(BiConsumer<Order, Step> listener) {
        this.listener = listener;
    }

    synchronized long lastSequence() {
        return lastSequence;
    }

    synchronized Optional<Order> order(String id) {
        return Optional.ofNullable(orders.get(id));
    }

    /** The orders not finished yet, in the order they were accepted. */
    synchronized List<Order> unfinished() {
        return orders.values().stream().filter(o -> !o.status.finished()).toList();
    }

    /** Records an accepted order and its sequence, durably, before anything is done for it. */
    synchronized Order accept(long sequence, String signed) {
        Order order = new Order(Long.toString(sequence), signed);
        order.steps.add(new Step(OrderStatus.ACCEPTED, "signature, address, freshness and software checked",
                Instant.now()));
        long before = lastSequence;
        Map<String, Order> was = new LinkedHashMap<>(orders);
        lastSequence = sequence;
        orders.put(order.id, order);
        forgetOldest();
        try {
            save();
        } catch (RuntimeException e) {
            lastSequence = before;
            orders.clear();
            orders.putAll(was);
            throw e;
        }
        return order;
    }

    // The state file stays small on a server that takes orders for years: the oldest finished orders go.
    private void forgetOldest() {
        List<String> finished = orders.values().stream().filter(o -> o.status.finished()).map(o -> o.id).toList();
        for (int i = 0; i < finished.size() - KEPT_FINISHED; i++) {
            orders.remove(finished.get(i));
        }
    }

    /**
     * A new status for {@code order}: a step, written durably, when it changed; otherwise only the detail changes,
     * in memory (progress is not worth an fsync, and a restart does not need it).
     */
    synchronized void step(Order order, OrderStatus status, String detail) {
        order.detail = detail;
        if (status != order.status) {
            Step step = new Step(status, detail, Instant.now());
            order.steps.add(step);
            order.status = status;
            save();
            listener.accept(order, step);
        }
    }

    /** A step worth keeping even when the status stays (a resumed download), durably. */
    synchronized void note(Order order, OrderStatus status, String detail) {
        Step step = new Step(status, detail, Instant.now());
        order.steps.add(step);
        order.status = status;
        order.detail = detail;
        save();
        listener.accept(order, step);
    }

    /** Changes of {@code order}'s install journal ({@code null} removes an entry), durably. */
    synchronized void journal(Order order, Map<String, String> changes) {
        changes.forEach((key, value) -> {
            if (value == null) {
                order.journal.remove(key);
            } else {
                order.journal.put(key, value);
            }
        });
        save();
    }

    synchronized Map<String, String> journal(Order order) {
        return Map.copyOf(order.journal);
    }

    synchronized List<Step> steps(Order order) {
        return List.copyOf(order.steps);
    }

    private void save() {
        Properties properties = new Properties();
        properties.setProperty("lastSequence", Long.toString(lastSequence));
        properties.setProperty("orders", String.join(",", orders.keySet()));
        for (Order order : orders.values()) {
            String prefix = "order." + order.id + ".";
            properties.setProperty(prefix + "signed", order.signed);
            properties.setProperty(prefix + "status", order.status.word());
            properties.setProperty(prefix + "detail", order.detail);
            properties.setProperty(prefix + "steps", Integer.toString(order.steps.size()));
            for (int i = 0; i < order.steps.size(); i++) {
                Step step = order.steps.get(i);
                properties.setProperty(prefix + "step." + i + ".status", step.status().word());
                properties.setProperty(prefix + "step." + i + ".detail", step.detail());
                properties.setProperty(prefix + "step." + i + ".at", step.at().toString());
            }
            order.journal.forEach((key, value) -> properties.setProperty(prefix + "journal." + key, value));
        }
        writeDurably(file, properties, "Fleetup agent state: the last accepted sequence and the orders");
    }

    /**
     * Replaces {@code file} with {@code properties}, durably: temporary file, fsync, atomic rename, fsync of the
     * directory; a crash leaves the old file or the new one, never half of one.
     */
    static void writeDurably(Path file, Properties properties, String comment) {
        Path directory = file.toAbsolutePath().getParent();
        Path temporary = directory.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(directory);
            try (OutputStream out = Files.newOutputStream(temporary)) {
                properties.store(out, comment);
            }
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
                channel.force(true);
            }
        } catch (IOException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Could not write the agent's state " + file
                    + ": " + e.getMessage() + ". Check the free space and permissions there; nothing was done.", e);
        }
    }
}
