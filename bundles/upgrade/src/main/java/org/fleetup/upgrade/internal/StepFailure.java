package org.fleetup.upgrade.internal;

/** A step of an install that failed, with the words an operator reads. */
final class StepFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StepFailure(String detail) {
        super(detail);
    }

    StepFailure(String detail, Throwable cause) {
        super(detail, cause);
    }

    static String describe(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }
}
