package org.fleetup.ssh.internal;

/** The innermost cause of a failure, whose message says what really went wrong (MINA wraps it in its futures). */
final class Causes {

    private static final int MAX_DEPTH = 20;

    private Causes() {
    }

    static Throwable root(Throwable failure) {
        Throwable root = failure;
        for (int depth = 0; root != null && root.getCause() != null && root.getCause() != root && depth < MAX_DEPTH;
                depth++) {
            root = root.getCause();
        }
        return root;
    }

    /** The root cause's message, or its type when it has none. */
    static String message(Throwable failure) {
        Throwable root = root(failure);
        return root.getMessage() == null || root.getMessage().isBlank() ? root.getClass().getSimpleName()
                : root.getMessage();
    }
}
