package dev.tollgate.bench.wire;

/** Searching raw bytes (request bodies, stream chunks) without decoding them. Stateless. */
public final class Bytes {

    private Bytes() {
    }

    /** Where {@code wanted} starts in {@code buf[from, end)}, or -1. */
    public static int indexOf(byte[] buf, int from, int end, byte[] wanted) {
        outer:
        for (int i = from; i <= end - wanted.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (buf[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
