package org.fleetup.ssh.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.transport.LoginSettings;

/** The key pair a server's record logs in with, read from its private key file (OpenSSH or PEM, unencrypted). */
public final class ClientIdentity {

    private ClientIdentity() {
    }

    public static KeyPair load(Server server) {
        String keyFile = LoginSettings.keyFile(server);
        if (keyFile == null || keyFile.isBlank()) {
            throw failure(server, "has no private key file: give it one in the inventory (keyFile)");
        }
        try (InputStream in = Files.newInputStream(Path.of(keyFile))) {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(keyFile), in,
                    null);
            Iterator<KeyPair> first = pairs == null ? null : pairs.iterator();
            if (first == null || !first.hasNext()) {
                throw failure(server, "has a private key file " + keyFile + " holding no key");
            }
            return first.next();
        } catch (NoSuchFileException | InvalidPathException e) {
            throw failure(server, "has a private key file " + keyFile + " that does not exist");
        } catch (AccessDeniedException e) {
            throw failure(server, "has a private key file " + keyFile + " that Fleetup may not read (permissions)");
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof FleetupException fleetupException) {
                throw fleetupException;
            }
            // The parser's message may quote the file's content; the key must never reach a message or a log.
            throw failure(server, "has a private key file " + keyFile + " that is not an unencrypted OpenSSH or PEM"
                    + " private key (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static FleetupException failure(Server server, String problem) {
        return new FleetupException(FleetupException.AUTHENTICATION_FAILED, "Cannot log in to server "
                + server.name() + ": it " + problem + ".");
    }
}
