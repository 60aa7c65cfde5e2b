package dev.tollgate.bench.upstream;

import dev.tollgate.bench.wire.Head;
import dev.tollgate.bench.wire.HttpInput;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fast fake OpenAI Chat Completions server on loopback, HTTP/1.1 with keep-alive. Any
 * {@code POST .../chat/completions} gets the same small completion, or, when the body says
 * {@code "stream": true}, N chunks a fixed gap apart on a fixed schedule ({@link StreamSchedule}; plus a usage chunk when
 * {@code include_usage} is asked for) and {@code [DONE]}. No key is checked.
 *
 * <p>One platform thread per connection: the benchmark opens at most a few hundred, and a
 * blocking read on a platform thread is the lowest-latency way to answer them. Thread-safe.
 */
public final class FakeUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final Replies replies;
    private final UpstreamSettings settings;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private FakeUpstream(ServerSocket server, UpstreamSettings settings) {
        this.server = server;
        this.settings = settings;
        this.replies = new Replies(settings);
        this.acceptor = Thread.ofPlatform().daemon().name("upstream-accept").unstarted(this::acceptLoop);
    }

    /** Binds {@code 127.0.0.1:port} (0 = any free port) and starts serving. */
    public static FakeUpstream start(int port, UpstreamSettings settings) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
        FakeUpstream upstream = new FakeUpstream(server, settings);
        upstream.acceptor.start();
        return upstream;
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                open.add(socket);
                Thread.ofPlatform().daemon().name("upstream-conn").start(() -> serve(socket));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("fake upstream: accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            HttpInput in = new HttpInput(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            RequestBody body = new RequestBody();
            while (true) {
                Head head = in.readHead();
                if (head == null) {
                    return;
                }
                body.reset();
                in.readBody(head, false, body);
                String line = head.startLine();
                if (line.startsWith("POST ") && pathEndsWith(line, "/chat/completions")) {
                    if (body.flag(RequestBody.STREAM)) {
                        stream(out, body.flag(RequestBody.INCLUDE_USAGE), body.contains(RequestBody.WARM_UP_USER));
                    } else {
                        out.write(replies.completion);
                    }
                } else if (line.startsWith("GET ") && pathEndsWith(line, "/health")) {
                    out.write(replies.health);
                } else {
                    out.write(replies.notFound);
                }
                out.flush();
                if (head.close()) {
                    return;
                }
            }
        } catch (SocketException e) {
            // peer reset or closed while we wrote: normal when a client stops
        } catch (IOException | RuntimeException e) {
            System.err.println("fake upstream: connection ended: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
        }
    }

    /** The configured stream, or for a warm-up request two chunks without a gap. */
    private void stream(OutputStream out, boolean includeUsage, boolean warmUp) throws IOException, InterruptedException {
        long gapNanos = warmUp ? 0 : settings.gapMicros() * 1_000;
        int n = warmUp ? Math.min(2, settings.streamChunks()) : settings.streamChunks();
        Replies.StampedChunks chunks = replies.stampedCopies();
        out.write(replies.streamHead);
        StreamSchedule schedule = null;
        for (int i = 0; i < n; i++) {
            if (schedule == null) {
                schedule = new StreamSchedule(System.nanoTime(), gapNanos);
            } else {
                long wait = schedule.waitBefore(i, System.nanoTime());
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
            }
            out.write(chunks.stamped(i, n));
            out.flush();
        }
        if (includeUsage) {
            out.write(replies.usageChunk);
        }
        out.write(replies.done);
    }

    private static boolean pathEndsWith(String requestLine, String suffix) {
        int sp = requestLine.indexOf(' ', requestLine.indexOf(' ') + 1);
        int end = sp < 0 ? requestLine.length() : sp;
        int q = requestLine.indexOf('?');
        if (q >= 0 && q < end) {
            end = q;
        }
        return requestLine.startsWith(suffix, end - suffix.length());
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /**
     * {@code java -cp tollgate-bench.jar dev.tollgate.bench.upstream.FakeUpstream --port N
     * --chunks N --gap-us N}: runs until killed; prints {@code listening on PORT} when ready.
     */
    public static void main(String[] args) throws Exception {
        int port = 0;
        int chunks = 100;
        long gapMicros = 1000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--chunks" -> chunks = Integer.parseInt(args[i + 1]);
                case "--gap-us" -> gapMicros = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown flag " + args[i]
                        + " (expected --port, --chunks, --gap-us)");
            }
        }
        FakeUpstream upstream = start(port, new UpstreamSettings(chunks, gapMicros));
        System.out.println("listening on " + upstream.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
