package dev.tollgate.sidecar.testing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a fuzz input front to back: a few control bytes, then lines, then the rest as a body. Past the
 * end every read yields zero or empty, so any byte string is a valid input. A plain layout (rather than
 * Jazzer's FuzzedDataProvider, which reads numbers from the end) keeps hand-written seed files readable:
 * a few control bytes, then the body as text. Not thread-safe.
 */
public final class FuzzInput {

    private final byte[] data;
    private int pos;

    public FuzzInput(byte[] data) {
        this.data = data;
    }

    public int u8() {
        return pos < data.length ? data[pos++] & 0xFF : 0;
    }

    public int u16() {
        return u8() << 8 | u8();
    }

    /** The bytes up to the next newline (consumed, not returned), at most {@code max}, as Latin-1 text. */
    public String line(int max) {
        int from = pos;
        while (pos < data.length && pos - from < max && data[pos] != '\n') {
            pos++;
        }
        String line = new String(data, from, pos - from, StandardCharsets.ISO_8859_1);
        if (pos < data.length && data[pos] == '\n') {
            pos++;
        }
        return line;
    }

    public byte[] rest() {
        byte[] rest = Arrays.copyOfRange(data, Math.min(pos, data.length), data.length);
        pos = data.length;
        return rest;
    }
}
