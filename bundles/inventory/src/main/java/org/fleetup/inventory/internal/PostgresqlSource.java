package org.fleetup.inventory.internal;

import javax.sql.ConnectionPoolDataSource;

import org.postgresql.ds.PGConnectionPoolDataSource;

/**
 * PostgreSQL's driver's own pooled data source, made from the configured URL. A class of its own, loaded only for a
 * {@code jdbc:postgresql:} URL: the driver's bundle (org.postgresql.jdbc) is an optional import of the inventory.
 */
final class PostgresqlSource {

    private PostgresqlSource() {
    }

    /** The password goes to the driver only; a password in the URL stays there when none is configured. */
    static ConnectionPoolDataSource create(String url, String user, String password) {
        PGConnectionPoolDataSource source = new PGConnectionPoolDataSource();
        source.setURL(url);
        source.setUser(user);
        if (!password.isEmpty()) {
            source.setPassword(password);
        }
        // names the controller's sessions in pg_stat_activity
        source.setApplicationName("fleetup");
        return source;
    }
}
