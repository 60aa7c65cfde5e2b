package dev.tollgate.sidecar.upstream;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * One open connection to an origin with its read buffer. Used by one exchange at a time (the pool
 * hands it to a single thread), so not thread-safe, except {@link #close()}, which any thread may
 * call to cancel the exchange.
 */
final class Connection {

    /** Longest status or header line accepted; providers' headers are far shorter. */
    private static final int MAX_LINE = 64 * 1024;

    final Origin origin;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int lim;
    private volatile boolean closed;
    /** {@link System#nanoTime()} when it went back to the pool. */
    long idleSince;
    /** Whether it served an exchange before: only a reused connection may be stale. */
    boolean reused;
    /** Bytes of the current response read from the socket so far. */
    long received;

    Connection(Origin origin, Socket socket) throws IOException {
        this.origin = origin;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    Optional<SSLSession> sslSession() {
        return socket instanceof SSLSocket s ? Optional.ofNullable(s.getSession()) : Optional.empty();
    }

    void write(byte[] bytes, int off, int len) throws IOException {
        out.write(bytes, off, len);
    }

    void flush() throws IOException {
        out.flush();
    }

    /** A CRLF- (or LF-) terminated line without its terminator, in ISO-8859-1; null at a clean end of stream. */
    String readLine() throws IOException {
        StringBuilder line = null;
        while (true) {
            if (pos == lim && fill() < 0) {
                if (line == null) {
                    return null;
                }
                throw new EOFException("the connection closed in the middle of a line");
            }
            for (int i = pos; i < lim; i++) {
                if (buf[i] == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    String part = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    if (line == null) {
                        return part;
                    }
                    line.append(part);
                    int n = line.length();
                    return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
                }
            }
            if (line == null) {
                line = new StringBuilder();
            }
            line.append(new String(buf, pos, lim - pos, StandardCharsets.ISO_8859_1));
            pos = lim;
            if (line.length() > MAX_LINE) {
                throw new IOException("a response header line is longer than " + MAX_LINE + " bytes");
            }
        }
    }

    /**
     * Up to {@code len} bytes: what is buffered, else what one read from the socket brings (so a
     * streamed chunk is handed on as soon as it arrives). -1 at the end of the stream.
     */
    int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == lim) {
            if (len >= buf.length) {
                // A large read goes straight into the caller's array: one copy fewer.
                int n = in.read(b, off, len);
                if (n > 0) {
                    received += n;
                }
                return n;
            }
            if (fill() < 0) {
                return -1;
            }
        }
        int n = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    /** One byte, or -1 at the end of the stream. */
    int read() throws IOException {
        if (pos == lim && fill() < 0) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    /** Bytes read from the socket and not yet consumed. */
    int buffered() {
        return lim - pos;
    }

    /** Consumes {@code n} buffered bytes ({@code n <= buffered()}). */
    void skipBuffered(int n) {
        if (n < 0 || n > lim - pos) {
            throw new IllegalArgumentException("skip " + n + " of " + (lim - pos) + " buffered bytes");
        }
        pos += n;
    }

    /** Consumes {@code expected} when the buffered bytes start with it; never reads the socket. */
    boolean skipIfBuffered(byte[] expected) {
        if (lim - pos < expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (buf[pos + i] != expected[i]) {
                return false;
            }
        }
        pos += expected.length;
        return true;
    }

    /** Whether bytes of a next response are already buffered: then the connection cannot be reused. */
    boolean hasBuffered() {
        return pos < lim;
    }

    private int fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return -1;
        }
        received += n;
        pos = 0;
        lim = n;
        return n;
    }

    boolean isClosed() {
        return closed || socket.isClosed();
    }

    void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is all we wanted; the socket is unusable either way.
        }
    }
}
