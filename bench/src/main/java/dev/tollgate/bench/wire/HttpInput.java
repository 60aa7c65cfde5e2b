package dev.tollgate.bench.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads HTTP/1.1 messages from one connection through its own buffer. Not thread-safe: one
 * connection, one reader thread.
 */
public final class HttpInput {

    /** Receives body bytes as they arrive; the array is reused after the call returns. */
    @FunctionalInterface
    public interface BodySink {
        void bytes(byte[] buffer, int offset, int length);
    }

    private static final int MAX_LINE = 16 * 1024;

    private final InputStream in;
    private final byte[] buf = new byte[32 * 1024];
    private int pos;
    private int limit;

    public HttpInput(InputStream in) {
        this.in = in;
    }

    /** The next message head, or null when the peer closed the connection cleanly before it. */
    public Head readHead() throws IOException {
        String start = readLine();
        while (start != null && start.isEmpty()) {
            start = readLine(); // tolerate stray CRLF between messages (RFC 9112 section 2.2)
        }
        if (start == null) {
            return null;
        }
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String line = readLine(); ; line = readLine()) {
            if (line == null) {
                throw new EOFException("connection closed inside a message head");
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String value = line.substring(colon + 1).trim();
            if (isName(line, colon, "content-length")) {
                length = Long.parseLong(value);
            } else if (isName(line, colon, "transfer-encoding")) {
                chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
            } else if (isName(line, colon, "connection")) {
                close = value.equalsIgnoreCase("close");
            }
        }
        return new Head(start, length, chunked, close);
    }

    /**
     * Reads the body framed by {@code head} and hands it to {@code sink} piece by piece; returns
     * its length. A head without length or chunking has no body (requests) or runs to the end of
     * the connection ({@code untilClose}, responses).
     */
    public long readBody(Head head, boolean untilClose, BodySink sink) throws IOException {
        if (head.chunked()) {
            return readChunked(sink);
        }
        if (head.contentLength() >= 0) {
            readFixed(head.contentLength(), sink);
            return head.contentLength();
        }
        if (!untilClose) {
            return 0;
        }
        long total = 0;
        while (fill()) {
            sink.bytes(buf, pos, limit - pos);
            total += limit - pos;
            pos = limit;
        }
        return total;
    }

    private long readChunked(BodySink sink) throws IOException {
        long total = 0;
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new EOFException("connection closed inside a chunked body");
            }
            int semi = sizeLine.indexOf(';');
            long size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            if (size == 0) {
                // trailer section: header lines up to an empty line
                for (String t = readLine(); t != null && !t.isEmpty(); t = readLine()) {
                    // trailers carry nothing the harness needs
                }
                return total;
            }
            readFixed(size, sink);
            total += size;
            String crlf = readLine();
            if (crlf == null || !crlf.isEmpty()) {
                throw new IOException("chunk of " + size + " bytes not followed by CRLF");
            }
        }
    }

    private void readFixed(long length, BodySink sink) throws IOException {
        long left = length;
        while (left > 0) {
            if (pos == limit && !fill()) {
                throw new EOFException("connection closed with " + left + " body bytes still expected");
            }
            int n = (int) Math.min(left, limit - pos);
            sink.bytes(buf, pos, n);
            pos += n;
            left -= n;
        }
    }

    /** One line without its CRLF (or bare LF), or null at a clean end of stream. */
    String readLine() throws IOException {
        int start = pos;
        StringBuilder spill = null;
        while (true) {
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    int end = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                    String line = new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    if (spill == null) {
                        return line;
                    }
                    spill.append(line);
                    int n = spill.length();
                    if (n > 0 && spill.charAt(n - 1) == '\r') {
                        spill.setLength(n - 1);
                    }
                    return spill.toString();
                }
            }
            // The line continues past the buffer: keep what we have and read on.
            if (limit > start) {
                if (spill == null) {
                    spill = new StringBuilder();
                }
                spill.append(new String(buf, start, limit - start, StandardCharsets.ISO_8859_1));
                if (spill.length() > MAX_LINE) {
                    throw new IOException("header line longer than " + MAX_LINE + " bytes");
                }
            }
            pos = limit;
            if (!fill()) {
                if (spill == null) {
                    return null;
                }
                throw new EOFException("connection closed inside a line");
            }
            start = pos;
        }
    }

    /** Refills an exhausted buffer; false at end of stream. */
    private boolean fill() throws IOException {
        if (pos < limit) {
            return true;
        }
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            pos = limit = 0;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private static boolean isName(String line, int colon, String name) {
        return colon == name.length() && line.regionMatches(true, 0, name, 0, colon);
    }
}
