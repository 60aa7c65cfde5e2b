package dev.tollgate.bench.peers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * A TCP relay on one selector thread: each accepted connection gets its own connection to the
 * upstream, and bytes are copied both ways as they arrive, without parsing HTTP. A peer target of
 * the benchmark (with {@code --peers}): the floor of one more hop through a JVM that waits for its
 * sockets in an event loop (one thread wakes per readable socket and does the work itself), to set
 * beside the sidecar's thread-per-connection path (a poller thread wakes the connection's virtual
 * thread) and nginx. Not a gateway: no routing, no keys, nothing but the copy. The loop runs on the
 * thread that calls {@link #run()}; {@link #close()} stops it from any thread.
 */
public final class JvmRelay implements AutoCloseable {

    private static final int BUFFER = 16 * 1024;

    private final Selector selector;
    private final ServerSocketChannel server;
    private final InetSocketAddress upstream;

    private JvmRelay(Selector selector, ServerSocketChannel server, InetSocketAddress upstream) {
        this.selector = selector;
        this.server = server;
        this.upstream = upstream;
    }

    /** Binds {@code port} on loopback (0: any free port) for relaying to {@code upstreamPort} there. */
    public static JvmRelay bind(int port, int upstreamPort) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            selector.close();
            throw e;
        }
        return new JvmRelay(selector, server, new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    /** Relays until {@link #close()}. */
    public void run() throws IOException {
        try {
            while (selector.isOpen()) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
            }
        } catch (ClosedSelectorException e) {
            // closed: stop
        }
    }

    private void handle(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            accept();
            return;
        }
        Side side = (Side) key.attachment();
        try {
            if (key.isConnectable()) {
                side.connected();
            } else {
                if (key.isReadable()) {
                    side.readable();
                }
                if (key.isValid() && key.isWritable()) {
                    side.writable();
                }
            }
        } catch (IOException e) {
            side.pair.close();
        }
    }

    private void accept() {
        try {
            SocketChannel client = server.accept();
            if (client == null) {
                return;
            }
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SocketChannel up = SocketChannel.open();
            up.configureBlocking(false);
            up.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Pair pair = new Pair(client, up);
            boolean connected = up.connect(upstream);
            pair.upstreamSide.key = up.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT,
                    pair.upstreamSide);
            // The client is read only once the upstream can take what it sends.
            pair.clientSide.key = client.register(selector, connected ? SelectionKey.OP_READ : 0, pair.clientSide);
        } catch (IOException e) {
            System.err.println("jvm relay: accept failed: " + e.getMessage());
        }
    }

    /** One accepted connection and its upstream connection. */
    private static final class Pair {
        final Side clientSide;
        final Side upstreamSide;

        Pair(SocketChannel client, SocketChannel up) {
            clientSide = new Side(this, client);
            upstreamSide = new Side(this, up);
            clientSide.peer = upstreamSide;
            upstreamSide.peer = clientSide;
        }

        void close() {
            clientSide.closeChannel();
            upstreamSide.closeChannel();
        }
    }

    /** One socket of a pair and the bytes read from it that its peer has not taken yet. */
    private static final class Side {
        final Pair pair;
        final SocketChannel channel;
        final ByteBuffer pending = ByteBuffer.allocateDirect(BUFFER);
        Side peer;
        SelectionKey key;

        Side(Pair pair, SocketChannel channel) {
            this.pair = pair;
            this.channel = channel;
        }

        void connected() throws IOException {
            channel.finishConnect();
            key.interestOps(SelectionKey.OP_READ);
            peer.key.interestOps(SelectionKey.OP_READ);
        }

        /** Reads what there is and hands it to the peer; stops reading while the peer is behind. */
        void readable() throws IOException {
            int n = channel.read(pending);
            if (n < 0) {
                pair.close();
                return;
            }
            pending.flip();
            peer.channel.write(pending);
            if (pending.hasRemaining()) {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                peer.key.interestOps(peer.key.interestOps() | SelectionKey.OP_WRITE);
                pending.compact().flip();
            } else {
                pending.clear();
            }
        }

        /** The peer's bytes that waited for this socket to take more. */
        void writable() throws IOException {
            ByteBuffer waiting = peer.pending;
            channel.write(waiting);
            if (!waiting.hasRemaining()) {
                waiting.clear();
                key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
                peer.key.interestOps(peer.key.interestOps() | SelectionKey.OP_READ);
            }
        }

        void closeChannel() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is all that was wanted
            }
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        server.close();
    }

    /**
     * The same relay the way the sidecar waits for sockets: a virtual thread per direction of each
     * connection, blocking reads and writes (so a poller thread wakes the reader, which then runs on
     * a carrier). Beside {@link #run()}, it tells the thread model's cost from a gateway's work.
     * Accepts on {@code server} until it is closed.
     */
    public static void runVirtualThreads(java.net.ServerSocket server, int upstreamPort) throws IOException {
        runThreadPerDirection(server, upstreamPort, Thread.ofVirtual());
    }

    /**
     * The same with a platform thread per direction: the kernel wakes the blocked reader itself, one
     * wake-up per socket wait as in an event loop, at the cost of a thread (and its stack) each.
     */
    public static void runPlatformThreads(java.net.ServerSocket server, int upstreamPort) throws IOException {
        runThreadPerDirection(server, upstreamPort, Thread.ofPlatform().daemon());
    }

    private static void runThreadPerDirection(java.net.ServerSocket server, int upstreamPort, Thread.Builder threads) {
        while (!server.isClosed()) {
            java.net.Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            threads.start(() -> pipe(client, upstreamPort, threads));
        }
    }

    private static void pipe(java.net.Socket client, int upstreamPort, Thread.Builder threads) {
        try (client; java.net.Socket up = new java.net.Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            client.setTcpNoDelay(true);
            up.setTcpNoDelay(true);
            Thread back = threads.start(() -> copy(up, client));
            copy(client, up);
            back.join();
        } catch (IOException e) {
            System.err.println("jvm relay: connection ended: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies until {@code from} ends, then closes both so the other direction ends too. */
    private static void copy(java.net.Socket from, java.net.Socket to) {
        byte[] buf = new byte[BUFFER];
        try {
            java.io.InputStream in = from.getInputStream();
            java.io.OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // one side closed: end both
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(java.net.Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing is all that was wanted
        }
    }

    /**
     * {@code --port P --upstream-port U [--threads event-loop|virtual|platform]}: relays 127.0.0.1:P
     * to 127.0.0.1:U until the process is stopped.
     */
    public static void main(String[] args) throws IOException {
        int port = -1;
        int upstreamPort = -1;
        String threads = "event-loop";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--upstream-port" -> upstreamPort = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (port < 0 || upstreamPort <= 0 || !List.of("event-loop", "virtual", "platform").contains(threads)) {
            throw new IllegalArgumentException(
                    "usage: JvmRelay --port P --upstream-port U [--threads event-loop|virtual|platform]");
        }
        if (!threads.equals("event-loop")) {
            try (java.net.ServerSocket server = new java.net.ServerSocket(port, 128, InetAddress.getLoopbackAddress())) {
                System.out.println("jvm relay (" + threads + " threads) on 127.0.0.1:" + port + " -> 127.0.0.1:" + upstreamPort);
                if (threads.equals("virtual")) {
                    runVirtualThreads(server, upstreamPort);
                } else {
                    runPlatformThreads(server, upstreamPort);
                }
            }
            return;
        }
        try (JvmRelay relay = bind(port, upstreamPort)) {
            System.out.println("jvm relay on 127.0.0.1:" + relay.port() + " -> 127.0.0.1:" + upstreamPort);
            relay.run();
        }
    }
}
