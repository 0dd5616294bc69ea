package org.fleetup.routes.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on a loopback port in front of a server that holds back every answer of the server for a while: a
 * far-away server, whose every round trip takes that much longer.
 */
final class LatencyRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final Duration latency;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    LatencyRelay(int targetPort, Duration latency) throws IOException {
        this.targetPort = targetPort;
        this.latency = latency;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptAll);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                threads.execute(() -> pump(client, server, Duration.ZERO));
                threads.execute(() -> pump(server, client, latency));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Passes on what one side sends, each piece {@code delay} after it came: the link's time, not a test's wait. */
    private static void pump(Socket from, Socket to, Duration delay) {
        byte[] buffer = new byte[32 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                TimeUnit.NANOSECONDS.sleep(delay.toNanos());
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away; closing both ends the other pump too
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(LatencyRelay::closeQuietly);
        threads.shutdownNow();
    }
}
