package org.fleetup.api.transport;

/** What a command left: its exit code and what it printed. */
public record CommandResult(int exitCode, String stdout, String stderr) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** The first line worth showing an operator when the command failed. */
    public String problem() {
        String text = stderr.isBlank() ? stdout : stderr;
        return text.strip().lines().findFirst().orElse("exit code " + exitCode);
    }
}
