package dev.tollgate.sidecar.upstream;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.util.function.Consumer;

/**
 * A response body read straight from its connection: Content-Length, chunked (decoded) or until
 * the server closes. Each read returns what has arrived (never waits to fill the caller's array),
 * so streamed chunks pass through as they come. At the body's clean end the connection goes to
 * {@code onEnd} (back to the pool when reusable); closing the stream before the end closes the
 * connection, which is how an abandoned or cancelled exchange stops the upstream. Not thread-safe
 * for reads; {@link #close()} may come from another thread.
 */
final class BodyInput extends InputStream {

    /** What ends a chunked body after a chunk's data: the chunk's CRLF, the last (empty) chunk, no trailers. */
    private static final byte[] LAST_CHUNK = "\r\n0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Connection c;
    private final ResponseHead.Framing framing;
    private final Consumer<Connection> onEnd;
    /** LENGTH: bytes left in the body; CHUNKED: bytes left in the current chunk (-1 before the first). */
    private long remaining;
    private boolean ended;
    private volatile boolean closed;

    BodyInput(Connection c, ResponseHead.Framing framing, long contentLength, Consumer<Connection> onEnd) {
        this.c = c;
        this.framing = framing;
        this.onEnd = onEnd;
        this.remaining = framing == ResponseHead.Framing.CHUNKED ? -1 : contentLength;
        if (framing == ResponseHead.Framing.NONE
                || framing == ResponseHead.Framing.LENGTH && contentLength == 0) {
            end();
        }
    }

    private final byte[] one = new byte[1];

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("the response body was closed");
        }
        if (ended) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        return switch (framing) {
            case NONE -> -1;
            case LENGTH -> readFixed(b, off, len);
            case CHUNKED -> readChunked(b, off, len);
            case UNTIL_CLOSE -> readUntilClose(b, off, len);
        };
    }

    private int readFixed(byte[] b, int off, int len) throws IOException {
        int n = c.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("the connection closed " + remaining + " bytes before the end of the body");
        }
        remaining -= n;
        if (remaining == 0) {
            end();
        }
        return n;
    }

    private int readChunked(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
            if (remaining == 0 && !"".equals(c.readLine())) {
                throw new ProtocolException("a chunk does not end with CRLF");
            }
            remaining = chunkSize();
            if (remaining == 0) {
                // Trailers, if any, then the empty line that ends the body.
                for (String line = c.readLine(); ; line = c.readLine()) {
                    if (line == null) {
                        throw new EOFException("the connection closed inside the chunked body's trailers");
                    }
                    if (line.isEmpty()) {
                        break;
                    }
                }
                end();
                return -1;
            }
        }
        int n = c.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("the connection closed inside a chunk of the body");
        }
        remaining -= n;
        return n;
    }

    private long chunkSize() throws IOException {
        String line = c.readLine();
        if (line == null) {
            throw new EOFException("the connection closed before the end of the chunked body");
        }
        int semi = line.indexOf(';');
        String hex = (semi >= 0 ? line.substring(0, semi) : line).strip();
        try {
            long size = Long.parseLong(hex, 16);
            if (size >= 0) {
                return size;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ProtocolException("bad chunk size line: " + (line.length() > 40 ? line.substring(0, 40) : line));
    }

    private int readUntilClose(byte[] b, int off, int len) throws IOException {
        int n = c.read(b, off, len);
        if (n < 0) {
            ended = true;
            c.close();
        }
        return n;
    }

    private void end() {
        ended = true;
        onEnd.accept(c);
    }

    /** Whether the whole body has been read. */
    boolean ended() {
        return ended;
    }

    /**
     * Ends the body without blocking when all of its rest is already buffered. A streaming reader
     * stops at the provider's last event ({@code data: [DONE]}), which arrives with the chunked
     * body's terminator right behind it: consuming that lets the connection go back to the pool,
     * where closing it would make the next stream pay for a new connection (about 0.2 ms on
     * loopback, far more with TLS). True when the body ended.
     */
    private boolean endIfBuffered() {
        if (framing == ResponseHead.Framing.LENGTH && remaining <= c.buffered()) {
            c.skipBuffered((int) remaining);
            remaining = 0;
            end();
            return true;
        }
        if (framing == ResponseHead.Framing.CHUNKED && remaining >= 0
                && remaining + LAST_CHUNK.length <= c.buffered()) {
            c.skipBuffered((int) remaining);
            remaining = 0;
            if (c.skipIfBuffered(LAST_CHUNK)) {
                end();
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!ended && !endIfBuffered()) {
            // Unread body on the wire: the connection cannot carry another request; closing it also
            // tells the provider to stop (a client that went away mid-stream, a timed-out attempt).
            c.close();
        }
    }
}
