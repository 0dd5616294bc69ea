package org.fleetup.inventory.internal;

import java.util.logging.Level;

import liquibase.logging.Logger;
import liquibase.logging.core.AbstractLogService;
import liquibase.logging.core.AbstractLogger;

import org.slf4j.LoggerFactory;

/**
 * Liquibase's log in the controller's (SLF4J, so Karaf's log), under Liquibase's class names: rather than in
 * {@code java.util.logging}'s, on standard error outside Karaf. A trace that comes with a message below a warning (a part
 * Liquibase passes over, such as its YAML parser, which the inventory leaves out) is logged at debug only.
 */
final class LiquibaseLog extends AbstractLogService {

    @Override
    public int getPriority() {
        return PRIORITY_SPECIALIZED;
    }

    @Override
    @SuppressWarnings("rawtypes") // as Liquibase's interface declares it
    public Logger getLog(Class type) {
        return new Log(LoggerFactory.getLogger(type));
    }

    private static final class Log extends AbstractLogger {

        private final org.slf4j.Logger logger;

        Log(org.slf4j.Logger logger) {
            this.logger = logger;
        }

        @Override
        public void close() {
            // holds nothing: SLF4J's logger is not closed
        }

        @Override
        public void log(Level level, String message, Throwable e) {
            int value = level.intValue();
            if (value == Level.OFF.intValue()) {
                // a message Liquibase asks to be left out of the log (that analytics are off, for one)
                return;
            }
            if (value >= Level.SEVERE.intValue()) {
                logger.error(message, e);
            } else if (value >= Level.WARNING.intValue()) {
                logger.warn(message, e);
            } else if (value >= Level.INFO.intValue()) {
                logger.info(e == null ? message : message + ": " + e);
                if (e != null) {
                    logger.debug(message, e);
                }
            } else {
                logger.debug(message, e);
            }
        }
    }
}
