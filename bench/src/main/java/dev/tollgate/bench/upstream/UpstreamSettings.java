package dev.tollgate.bench.upstream;

/**
 * What the fake upstream answers with.
 *
 * @param streamChunks content chunks in a streamed answer (before the usage chunk and {@code [DONE]})
 * @param gapMicros    pause between two streamed chunks, in microseconds (0 = none)
 */
public record UpstreamSettings(int streamChunks, long gapMicros) {

    public UpstreamSettings {
        if (streamChunks < 1 || streamChunks > 100_000) {
            throw new IllegalArgumentException("streamChunks: " + streamChunks + " (expected: 1..100000)");
        }
        if (gapMicros < 0 || gapMicros > 1_000_000) {
            throw new IllegalArgumentException("gapMicros: " + gapMicros + " (expected: 0..1000000)");
        }
    }
}
