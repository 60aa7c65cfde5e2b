package dev.tollgate.bench.load;

import dev.tollgate.bench.wire.ChunkStamp;
import dev.tollgate.bench.wire.Head;
import dev.tollgate.bench.wire.HttpInput;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import org.HdrHistogram.Histogram;

/**
 * One keep-alive HTTP/1.1 connection to a loopback port. {@link #exchange} writes a prebuilt
 * request and reads the whole response, noting when it started, when the first body byte came
 * and whether a stream ended with {@code [DONE]}. Reconnects lazily. Not thread-safe: one
 * connection, one thread.
 */
public final class HttpConnection implements AutoCloseable, HttpInput.BodySink {

    private static final int IO_TIMEOUT_MS = 30_000;
    private static final byte[] DONE = "[DONE]".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final int port;
    private Socket socket;
    private OutputStream out;
    private HttpInput in;
    private boolean reused;

    private long startNanos;
    private long headNanos;
    private long firstBodyNanos;
    private long bodyLength;
    private final byte[] tail = new byte[16];
    private int tailLength;
    /** Where each {@link ChunkStamp}ed chunk's delay goes (send to arrival, ns); null: not looked for. */
    private Histogram chunkDelays;

    public HttpConnection(int port) {
        this.port = port;
    }

    /**
     * Sends {@code request}, reads the response to its end and returns its status. A reused
     * connection that the server had closed while idle is reopened and the request sent again
     * once (as HTTP clients do); the timing then starts at the second send.
     */
    public int exchange(byte[] request) throws IOException {
        try {
            return attempt(request);
        } catch (StaleConnection e) {
            close();
            return attempt(request);
        }
    }

    private int attempt(byte[] request) throws IOException {
        if (socket == null) {
            connect();
        }
        boolean wasReused = reused;
        reused = true;
        startNanos = System.nanoTime();
        firstBodyNanos = 0;
        bodyLength = 0;
        tailLength = 0;
        Head head;
        try {
            out.write(request);
            out.flush();
            head = in.readHead();
        } catch (SocketException e) {
            if (wasReused) {
                throw new StaleConnection();
            }
            close();
            throw e;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        headNanos = System.nanoTime();
        if (head == null) {
            close();
            if (wasReused) {
                throw new StaleConnection();
            }
            throw new IOException("the server closed the connection without answering");
        }
        try {
            if (head.responseHasBody()) {
                in.readBody(head, true, this);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        if (head.close() || (!head.chunked() && head.contentLength() < 0)) {
            close();
        }
        return head.status();
    }

    /** {@link System#nanoTime()} when the request of the last exchange was written. */
    public long startNanos() {
        return startNanos;
    }

    /** {@link System#nanoTime()} when the status line and headers of the last response were in. */
    public long headNanos() {
        return headNanos;
    }

    /** {@link System#nanoTime()} when the first body byte of the last response arrived (0 = no body). */
    public long firstBodyNanos() {
        return firstBodyNanos;
    }

    public long bodyLength() {
        return bodyLength;
    }

    /**
     * From now on, each stream chunk that carries a {@link ChunkStamp} adds the time from its
     * stamp to its arrival here to {@code delays}; null stops it (plain answers need no scan).
     */
    public void recordChunkDelays(Histogram delays) {
        this.chunkDelays = delays;
    }

    /** Whether the last response body ended with {@code [DONE]} and blank lines (a complete SSE stream). */
    public boolean endedWithDone() {
        int end = tailLength;
        while (end > 0 && (tail[end - 1] == '\n' || tail[end - 1] == '\r')) {
            end--;
        }
        if (end < DONE.length) {
            return false;
        }
        for (int i = 0; i < DONE.length; i++) {
            if (tail[end - DONE.length + i] != DONE[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void bytes(byte[] buffer, int offset, int length) {
        long now = System.nanoTime();
        if (firstBodyNanos == 0) {
            firstBodyNanos = now;
        }
        Histogram delays = chunkDelays;
        if (delays != null) {
            ChunkStamp.scan(buffer, offset, length, sent -> {
                long delay = Math.max(0, now - sent);
                // A stamp from another clock (a target that rewrote the id) is not a delay.
                if (delay <= delays.getHighestTrackableValue()) {
                    delays.recordValue(delay);
                }
            });
        }
        bodyLength += length;
        // keep the last bytes of the body to check how a stream ended
        if (length >= tail.length) {
            System.arraycopy(buffer, offset + length - tail.length, tail, 0, tail.length);
            tailLength = tail.length;
        } else {
            int keep = Math.min(tailLength, tail.length - length);
            System.arraycopy(tail, tailLength - keep, tail, 0, keep);
            System.arraycopy(buffer, offset, tail, keep, length);
            tailLength = keep + length;
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(IO_TIMEOUT_MS);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        out = s.getOutputStream();
        in = new HttpInput(s.getInputStream());
        reused = false;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
        out = null;
        in = null;
    }

    /** A kept-alive connection turned out closed by the server before the request was answered. */
    private static final class StaleConnection extends IOException {
        StaleConnection() {
            super("stale keep-alive connection");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // control flow, not a failure: no stack needed
        }
    }
}
