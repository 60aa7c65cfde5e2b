package dev.tollgate.sidecar.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;

/**
 * A loopback HTTP/1.1 server whose every connection runs a script written by the test, so that a
 * test controls each byte and each close: what a well-behaved provider does and what a broken one does.
 */
final class RawServer implements AutoCloseable {

    /** What the server does on one accepted connection. */
    interface Script {
        void run(Peer peer) throws Exception;
    }

    /** One accepted connection, from the server's side. */
    static final class Peer {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final List<String> seen;

        Peer(Socket socket, List<String> seen) throws IOException {
            this.socket = socket;
            this.seen = seen;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** The next request's head and body (by Content-Length), or null when the client closed. */
        String readRequest() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int state = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                        ? state + 1 : 0;
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
            }
            String request = text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
            seen.add(request);
            return request;
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Whether the client closed its side: the next read sees the end of the stream. */
        boolean clientClosed() throws IOException {
            try {
                return in.read() < 0;
            } catch (IOException e) {
                return true;
            }
        }

        void close() throws IOException {
            socket.close();
        }
    }

    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();

    RawServer(Script script) throws IOException {
        this(ServerSocketFactory.getDefault(), script);
    }

    RawServer(ServerSocketFactory factory, Script script) throws IOException {
        server = factory.createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("raw-server-accept").start(() -> {
            while (!server.isClosed()) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                connections.incrementAndGet();
                Thread.ofVirtual().name("raw-server-conn").start(() -> {
                    try (s) {
                        script.run(new Peer(s, requests));
                    } catch (Exception e) {
                        failures.add(e);
                    }
                });
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
