package dev.tollgate.bench.wire;

import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

/**
 * The time a fake upstream sent a stream chunk, carried in the chunk's {@code id}
 * ({@code chatcmpl-bench-} and 19 decimal digits of {@link System#nanoTime()}), so that the client
 * at the end of the chain can tell how long that chunk took to reach it. {@code nanoTime} is
 * {@code CLOCK_MONOTONIC} on Linux: one clock for every process of the machine. Gateways pass the
 * id through unchanged, so the same chunk timed through a gateway and directly gives what the hop
 * adds to each chunk. All zeros means "not stamped". Stateless.
 */
public final class ChunkStamp {

    public static final String PREFIX = "chatcmpl-bench-";
    public static final int DIGITS = 19;
    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);

    private ChunkStamp() {
    }

    /** An id with room for a stamp, not stamped yet. */
    public static String placeholderId() {
        return PREFIX + "0".repeat(DIGITS);
    }

    /** Where the stamp's digits start in {@code bytes}, or -1 when it holds no placeholder. */
    public static int digitsAt(byte[] bytes) {
        int at = indexOfPrefix(bytes, 0, bytes.length);
        return at < 0 || at + PREFIX_BYTES.length + DIGITS > bytes.length ? -1 : at + PREFIX_BYTES.length;
    }

    /** Writes {@code nanos} (not negative) into the {@value #DIGITS} digits at {@code digitsAt}. */
    public static void write(byte[] bytes, int digitsAt, long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a stamp is not negative: " + nanos);
        }
        long v = nanos;
        for (int i = digitsAt + DIGITS - 1; i >= digitsAt; i--) {
            bytes[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
    }

    /**
     * Hands each whole, non-zero stamp in {@code buf[off, off + len)} to {@code stamps}. A stamp cut
     * by the end of the range is skipped (the caller sees what one read brought).
     */
    public static void scan(byte[] buf, int off, int len, LongConsumer stamps) {
        int end = off + len;
        int at = indexOfPrefix(buf, off, end);
        while (at >= 0) {
            int digits = at + PREFIX_BYTES.length;
            if (digits + DIGITS > end) {
                return;
            }
            long v = 0;
            boolean number = true;
            for (int i = digits; i < digits + DIGITS; i++) {
                int d = buf[i] - '0';
                if (d < 0 || d > 9) {
                    number = false;
                    break;
                }
                v = v * 10 + d;
            }
            if (number && v > 0) {
                stamps.accept(v);
            }
            at = indexOfPrefix(buf, digits, end);
        }
    }

    private static int indexOfPrefix(byte[] buf, int from, int end) {
        return Bytes.indexOf(buf, from, end, PREFIX_BYTES);
    }
}
