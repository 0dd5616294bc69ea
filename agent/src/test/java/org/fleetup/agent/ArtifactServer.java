package org.fleetup.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves one artifact over plain HTTP/1.1 on 127.0.0.1, honouring {@code Range: bytes=N-}; told to, it cuts the first
 * response's connection after some bytes, as a dropped link does. Written on a socket so the cut is exact.
 */
final class ArtifactServer implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final ServerSocket socket;
    private final byte[] content;
    private final String name;
    private final long cutFirstAfter;
    private final boolean stallFirst;
    private final Thread thread;
    private final List<Thread> clients = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    /** The Range header of every request, "" for none. */
    final List<String> ranges = new CopyOnWriteArrayList<>();

    /** @param cutFirstAfter the bytes the first response sends before its connection is cut; -1 for never */
    ArtifactServer(Path artifact, long cutFirstAfter) {
        this(artifact, cutFirstAfter, false);
    }

    /**
     * @param firstAfter the bytes the first response sends before its connection is cut or stalls; -1 for never
     * @param stallFirst whether the first response then goes silent, its connection open, until the server closes
     */
    ArtifactServer(Path artifact, long firstAfter, boolean stallFirst) {
        try {
            this.content = Files.readAllBytes(artifact);
            this.name = artifact.getFileName().toString();
            this.cutFirstAfter = firstAfter;
            this.stallFirst = stallFirst;
            this.socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.thread = new Thread(this::serve, "artifact-server");
        thread.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/artifacts/" + name);
    }

    long length() {
        return content.length;
    }

    private void serve() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Thread each = new Thread(() -> {
                    try (client) {
                        answer(client);
                    } catch (IOException e) {
                        // the client went away
                    }
                }, "artifact-client");
                clients.add(each);
                each.start();
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void answer(Socket client) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                StandardCharsets.ISO_8859_1));
        String line = in.readLine();
        String range = "";
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            if (line.toLowerCase().startsWith("range:")) {
                range = line.substring(6).strip();
            }
        }
        boolean first = ranges.isEmpty();
        ranges.add(range);
        Matcher matcher = RANGE.matcher(range);
        int from = matcher.matches() ? Integer.parseInt(matcher.group(1)) : 0;
        OutputStream out = client.getOutputStream();
        String head = from > 0
                ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + from + "-" + (content.length - 1) + "/"
                + content.length + "\r\n"
                : "HTTP/1.1 200 OK\r\n";
        out.write((head + "Content-Length: " + (content.length - from) + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        int until = first && cutFirstAfter >= 0 ? (int) Math.min(content.length, from + cutFirstAfter)
                : content.length;
        out.write(content, from, until - from);
        out.flush();
        if (first && stallFirst) {
            try {
                closing.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        try {
            closing.countDown();
            socket.close();
            thread.join(AgentProcess.WAIT.toMillis());
            for (Thread each : clients) {
                each.join(AgentProcess.WAIT.toMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
