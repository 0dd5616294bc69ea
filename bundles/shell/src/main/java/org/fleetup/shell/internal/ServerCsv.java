package org.fleetup.shell.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;

/**
 * Reads servers from CSV: header {@code name,host,port,user,keyfile}, any extra column an attribute. The whole file is
 * checked before anything is imported, and the first problem is reported with its line.
 */
final class ServerCsv {

    static final List<String> REQUIRED = List.of("name", "host", "port", "user", "keyfile");
    static final String CLUSTER = "cluster";

    /** The host key to trust for a server, or {@code null}. */
    @FunctionalInterface
    interface HostKeys {
        String of(String server, String host, int port);
    }

    private ServerCsv() {
    }

    static List<Server> read(Reader csv, HostKeys hostKeys) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                .setIgnoreEmptyLines(true).setCommentMarker('#').build();
        try (CSVParser parser = CSVParser.parse(csv, format)) {
            List<String> header = parser.getHeaderNames();
            for (String column : REQUIRED) {
                if (!header.contains(column)) {
                    throw invalid("The CSV has no column '" + column + "': its header must start with "
                            + String.join(",", REQUIRED) + " (extra columns become attributes)");
                }
            }
            List<Server> servers = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (CSVRecord row : parser) {
                long line = parser.getCurrentLineNumber();
                Server server = server(row, line, header, hostKeys);
                if (!names.add(server.name())) {
                    throw invalid("Line " + line + ": server '" + server.name() + "' appears twice");
                }
                servers.add(server);
            }
            return servers;
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            throw invalid("The CSV cannot be read: " + e.getMessage());
        }
    }

    private static Server server(CSVRecord row, long line, List<String> header, HostKeys hostKeys) {
        if (!row.isConsistent()) {
            throw invalid("Line " + line + ": " + row.size() + " fields, the header has " + header.size());
        }
        String name = required(row, line, "name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw invalid("Line " + line + ": '" + name + "' is not a server name (letters, digits, . _ -)");
        }
        String host = required(row, line, "host");
        int port = port(row, line);
        String user = required(row, line, "user");
        String keyFile = required(row, line, "keyfile");
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String column : header) {
            if (!REQUIRED.contains(column) && !CLUSTER.equals(column) && !row.get(column).isEmpty()) {
                attributes.put(column, row.get(column));
            }
        }
        String cluster = header.contains(CLUSTER) ? row.get(CLUSTER) : null;
        return new Server(name, cluster, address(line, host, port), user, keyFile, hostKeys.of(name, host, port),
                attributes);
    }

    private static URI address(long line, String host, int port) {
        try {
            return new URI("ssh", null, host, port, null, null, null);
        } catch (URISyntaxException e) {
            throw invalid("Line " + line + ": '" + host + "' is not a host name or address");
        }
    }

    private static int port(CSVRecord row, long line) {
        String text = required(row, line, "port");
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below, with the line
        }
        throw invalid("Line " + line + ": port '" + text + "' is not a number from 1 to 65535");
    }

    private static String required(CSVRecord row, long line, String column) {
        String value = row.get(column);
        if (value == null || value.isEmpty()) {
            throw invalid("Line " + line + ": '" + column + "' is empty");
        }
        return value;
    }

    private static FleetupException invalid(String message) {
        return new FleetupException(FleetupException.SERVER_INVALID, message);
    }
}
