package org.fleetup.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on a loopback port in front of a server, counting the connections made through it: what a test needs
 * to see how many connections a client really opened, how many are still open, to break them as a failing network
 * would, and to carry what the client sends as slowly as a poor link does.
 */
final class CountingRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final long clientBytesPerSecond;

    CountingRelay(int targetPort) throws IOException {
        this(targetPort, 0);
    }

    /** @param clientBytesPerSecond how fast what the client sends goes on to the server; 0 for as fast as it comes */
    CountingRelay(int targetPort, long clientBytesPerSecond) throws IOException {
        this.targetPort = targetPort;
        this.clientBytesPerSecond = clientBytesPerSecond;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptAll);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Connections made through the relay so far. */
    int connections() {
        return accepted.get();
    }

    /** Connections through the relay that neither side has closed yet. */
    int openConnections() {
        return open.get();
    }

    /** Breaks every connection through the relay, as a server going away would; new ones are still relayed. */
    void dropConnections() {
        sockets.forEach(CountingRelay::closeQuietly);
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                open.incrementAndGet();
                threads.execute(() -> pump(client, server, clientBytesPerSecond));
                threads.execute(() -> {
                    pump(server, client, 0);
                    open.decrementAndGet();
                });
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void pump(Socket from, Socket to, long bytesPerSecond) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            if (bytesPerSecond == 0) {
                in.transferTo(out);
            } else {
                throttle(in, out, bytesPerSecond);
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

    /**
     * Passes bytes on in small slices, each no sooner than the rate allows: a slow link, not a wait for a test's
     * condition. Since the relay reads no faster, the sender's TCP buffers fill and it is slowed down as by a real
     * link.
     */
    private static void throttle(InputStream in, OutputStream out, long bytesPerSecond)
            throws IOException, InterruptedException {
        byte[] slice = new byte[(int) Math.max(1, Math.min(16 * 1024, bytesPerSecond / 20))];
        long start = System.nanoTime();
        long passed = 0;
        for (int read = in.read(slice); read >= 0; read = in.read(slice)) {
            out.write(slice, 0, read);
            out.flush();
            passed += read;
            long due = start + passed * TimeUnit.SECONDS.toNanos(1) / bytesPerSecond;
            TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
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
        sockets.forEach(CountingRelay::closeQuietly);
        threads.shutdownNow();
    }
}
