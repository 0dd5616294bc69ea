package org.fleetup.inventory.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.io.ByteOrderMark;
import org.apache.commons.io.input.BOMInputStream;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerImport.HostKeys;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Transport;
import org.fleetup.api.transport.TransportRegistry;

/**
 * Reads servers from CSV: header {@code name,host,port,user,keyfile}, any extra column an attribute; RFC 4180 quoting,
 * any line ends, blank lines skipped. An optional {@code address} column holds a URI ({@code ssh://host:port},
 * {@code sftp://}, {@code http://}, {@code https://}, or another transport's scheme with its port) that overrides
 * {@code host} and {@code port} and names the transport (without it, {@code ssh}); with it, only {@code name} is a required column. A column that a transport
 * names as a setting ({@link Transport#settings()}: {@code user} and {@code keyfile} for SSH and SFTP) is a setting of
 * the server, not an attribute, and each server's own transport judges its settings ({@link Transport#validate}): an
 * agent's server takes no login. The whole file is checked before anything is imported, and the first problem is
 * reported with its line.
 */
final class ServerCsv {

    static final List<String> REQUIRED = List.of("name", "host", "port", "user", "keyfile");
    static final String CLUSTER = "cluster";
    static final String ADDRESS = "address";

    /** The schemes an address may name, with the port each takes when it names none. */
    private static final Map<String, Integer> SCHEMES = Map.of("ssh", 22, "sftp", 22, "http", 80, "https", 443);

    private ServerCsv() {
    }

    /**
     * Reads a UTF-8 CSV, with or without a byte-order mark (spreadsheets write one), as a whole: a byte that is not
     * UTF-8 is refused with its line and offset, since a guessed charset would import wrong names without a word.
     */
    static List<Server> read(InputStream csv, TransportRegistry transports) throws IOException {
        try (BOMInputStream withoutBom = BOMInputStream.builder().setInputStream(csv).get()) {
            byte[] bytes = withoutBom.readAllBytes();
            return read(new StringReader(utf8(bytes, withoutBom.hasBOM() ? ByteOrderMark.UTF_8.length() : 0)),
                    transports);
        }
    }

    private static List<Server> read(Reader csv, TransportRegistry transports) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                .setIgnoreEmptyLines(true).setCommentMarker('#').build();
        try (CSVParser parser = CSVParser.parse(csv, format)) {
            List<String> header = parser.getHeaderNames();
            for (String column : header.contains(ADDRESS) ? List.of("name") : REQUIRED) {
                if (!header.contains(column)) {
                    throw invalid("The CSV has no column '" + column + "': its header must start with "
                            + String.join(",", REQUIRED) + " (extra columns become attributes)");
                }
            }
            Set<String> settings = settingColumns(transports);
            List<Server> servers = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (CSVRecord row : parser) {
                if (row.stream().allMatch(String::isEmpty)) {
                    continue; // a line of spaces or bare commas, as spreadsheets leave: blank, not a server
                }
                long line = parser.getCurrentLineNumber();
                Server server = server(row, line, header, settings, transports);
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

    /** The text of {@code bytes}, strictly UTF-8; {@code skipped} bytes came before them in the file. */
    private static String utf8(byte[] bytes, int skipped) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer text = CharBuffer.allocate(bytes.length); // UTF-8 never makes more chars than bytes
        CoderResult result = decoder.decode(in, text, true);
        if (result.isError()) {
            int at = in.position();
            long line = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw invalid(String.format(Locale.ROOT, "The CSV is not UTF-8: line %d has the byte 0x%02X at offset %d"
                    + " of the file, which UTF-8 does not allow there. Save the file as UTF-8 and import it again;"
                    + " nothing was imported.", line, bytes[at] & 0xFF, skipped + at));
        }
        decoder.flush(text);
        return text.flip().toString();
    }

    /** The host key {@code hostKeys} knows for each server's host and port, by name; none for one it does not know. */
    static Map<String, String> hostKeys(List<Server> servers, HostKeys hostKeys) {
        Map<String, String> known = new LinkedHashMap<>();
        for (Server server : servers) {
            String key = hostKeys.of(server.name(), server.address().getHost(), server.address().getPort());
            if (key != null) {
                known.put(server.name(), key);
            }
        }
        return known;
    }

    /**
     * The columns that are settings, not attributes: those the installed transports name, and the login's, which were
     * never attributes, even while no transport over SSH is installed.
     */
    private static Set<String> settingColumns(TransportRegistry transports) {
        Set<String> columns = new HashSet<>(LoginSettings.NAMES);
        for (String scheme : transports.schemes().keySet()) {
            try {
                columns.addAll(transports.transportFor(URI.create(scheme + "://localhost")).settings());
            } catch (FleetupException e) {
                // gone since it was listed: a server of its scheme is refused below, as for any missing transport
            }
        }
        return columns;
    }

    private static Server server(CSVRecord row, long line, List<String> header, Set<String> settingColumns,
                                 TransportRegistry transports) {
        if (!row.isConsistent()) {
            throw invalid("Line " + line + ": " + row.size() + " fields, the header has " + header.size());
        }
        String name = required(row, line, "name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw invalid("Line " + line + ": '" + name + "' is not a server name (letters, digits, . _ -)");
        }
        String given = cell(row, ADDRESS);
        URI address = given.isEmpty() ? address(line, "ssh", required(row, line, "host"), port(row, line))
                : address(line, given);
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String column : header) {
            String value = row.get(column);
            if (settingColumns.contains(column)) {
                settings.put(column, value);
            } else if (!REQUIRED.contains(column) && !CLUSTER.equals(column) && !ADDRESS.equals(column)
                    && !value.isEmpty()) {
                attributes.put(column, value);
            }
        }
        String cluster = header.contains(CLUSTER) ? row.get(CLUSTER) : null;
        Server server = new Server(name, cluster, address, settings, attributes);
        try {
            // its transport alone knows what its settings must be; without it, nobody could tell, so it waits for one
            transports.transportFor(address).validate(server);
        } catch (FleetupException e) {
            throw new FleetupException(e.code(), "Line " + line + ": " + e.getMessage()
                    + (e.getMessage().endsWith(".") ? "" : ".") + " Nothing was imported.", e);
        }
        return server;
    }

    /** An address as an operator writes it, its port made explicit. */
    private static URI address(long line, String given) {
        URI uri;
        try {
            uri = new URI(given);
        } catch (URISyntaxException e) {
            throw invalid("Line " + line + ": '" + given + "' is not an address such as ssh://host:22");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        // Transports are hot-deployable: another scheme is taken when its port is given, and the plan says whether a
        // transport serves it. Only the known schemes have a default port.
        if (uri.getScheme() == null || uri.getHost() == null
                || !SCHEMES.containsKey(scheme) && uri.getPort() < 0) {
            throw invalid("Line " + line + ": '" + given + "' is not an address of ssh, sftp, http or https with a"
                    + " host, such as ssh://host:22 or http://host:8181, nor of another transport's scheme with a"
                    + " host and a port");
        }
        return address(line, scheme, uri.getHost(), uri.getPort() < 0 ? SCHEMES.get(scheme) : uri.getPort());
    }

    private static URI address(long line, String scheme, String host, int port) {
        try {
            return new URI(scheme, null, host, port, null, null, null);
        } catch (URISyntaxException e) {
            throw invalid("Line " + line + ": '" + host + "' is not a host name or address");
        }
    }

    /** The cell of {@code column}, empty when the header has no such column. */
    private static String cell(CSVRecord row, String column) {
        return row.isMapped(column) ? row.get(column) : "";
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
        String value = cell(row, column);
        if (value == null || value.isEmpty()) {
            throw invalid("Line " + line + ": '" + column + "' is empty");
        }
        return value;
    }

    private static FleetupException invalid(String message) {
        return new FleetupException(FleetupException.SERVER_INVALID, message);
    }
}
