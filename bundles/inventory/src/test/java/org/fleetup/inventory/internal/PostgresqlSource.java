package org.fleetup.inventory.internal;

import javax.sql.ConnectionPoolDataSource;

import org.postgresql.ds.PGConnectionPoolDataSource;

/** PostgreSQL's driver's own pooled data source, made from a URL, for the tests' pools. */
final class PostgresqlSource {

    private PostgresqlSource() {
    }

    /** The password goes to the driver only; a password in the URL stays there when none is given. */
    static ConnectionPoolDataSource create(String url, String user, String password) {
        PGConnectionPoolDataSource source = new PGConnectionPoolDataSource();
        source.setURL(url);
        source.setUser(user);
        if (!password.isEmpty()) {
            source.setPassword(password);
        }
        return source;
    }
}
