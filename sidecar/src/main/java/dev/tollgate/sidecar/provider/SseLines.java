package dev.tollgate.sidecar.provider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a server-sent-events body line by line as bytes, without decoding to strings, so that
 * a pass-through stream costs no more than a copy. Not thread-safe: one reader per stream.
 */
public final class SseLines {

    private final InputStream in;
    private byte[] buf = new byte[8192];
    private int start;
    private int end;

    public SseLines(InputStream in) {
        this.in = in;
    }

    /** The next line without its line terminator, or null at the end of the stream. */
    public byte[] next() throws IOException {
        while (true) {
            for (int i = start; i < end; i++) {
                if (buf[i] == '\n') {
                    int lineEnd = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                    byte[] line = Arrays.copyOfRange(buf, start, lineEnd);
                    start = i + 1;
                    return line;
                }
            }
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                if (end > start) {
                    byte[] line = Arrays.copyOfRange(buf, start, end);
                    start = end;
                    return line;
                }
                return null;
            }
            end += n;
        }
    }

    /** If {@code line} is {@code data: X}, returns X; otherwise null. */
    public static byte[] data(byte[] line) {
        if (line.length < 5 || line[0] != 'd' || line[1] != 'a' || line[2] != 't' || line[3] != 'a' || line[4] != ':') {
            return null;
        }
        int from = line.length > 5 && line[5] == ' ' ? 6 : 5;
        return Arrays.copyOfRange(line, from, line.length);
    }

    public static boolean isDone(byte[] data) {
        return data.length == 6 && data[0] == '[' && data[1] == 'D' && data[5] == ']';
    }
}
