package org.fleetup.inventory.internal;

import java.sql.SQLException;

import liquibase.change.custom.CustomTaskChange;
import liquibase.database.Database;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.CustomChangeException;
import liquibase.exception.ValidationErrors;
import liquibase.resource.ResourceAccessor;

/**
 * The changeset that trusts each server of an inventory older than version 6 with the host key of its record
 * ({@link ServerTrustTable#fromHostKeys}): Java, for the scheme of its address is read as a URI. Liquibase makes it,
 * public with no arguments, and runs it once.
 */
public final class TrustFromHostKeys implements CustomTaskChange {

    @Override
    public void execute(Database database) throws CustomChangeException {
        try {
            ServerTrustTable.fromHostKeys(((JdbcConnection) database.getConnection()).getUnderlyingConnection());
        } catch (SQLException e) {
            throw new CustomChangeException("Cannot trust the servers' recorded host keys: " + e.getMessage(), e);
        }
    }

    @Override
    public String getConfirmationMessage() {
        return "Each server's recorded host key trusted for the scheme of its address";
    }

    @Override
    public void setUp() {
        // nothing to set up
    }

    @Override
    public void setFileOpener(ResourceAccessor resourceAccessor) {
        // reads no file
    }

    @Override
    public ValidationErrors validate(Database database) {
        return new ValidationErrors();
    }
}
