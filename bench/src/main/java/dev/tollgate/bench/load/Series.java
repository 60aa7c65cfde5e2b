package dev.tollgate.bench.load;

import org.HdrHistogram.Histogram;

/**
 * Everything measured for one target in one workload, summed over its blocks: latency (and, for
 * streams, time to first body byte) in nanoseconds, request and error counts, time under load.
 * Not thread-safe: the runner merges each block in after its workers have finished.
 */
public final class Series {

    /** 100 ns resolution, up to 2 minutes, 3 significant digits. */
    static Histogram newHistogram() {
        return new Histogram(100, 120_000_000_000L, 3);
    }

    private final Histogram latency = newHistogram();
    private final Histogram firstByte = newHistogram();
    private final Histogram head = newHistogram();
    private final Histogram chunkDelay = newHistogram();
    private final Histogram blockStarts = newHistogram();
    private long requests;
    private long errors;
    private long elapsedNanos;
    private String firstError;

    void add(Histogram blockLatency, Histogram blockFirstByte, Histogram blockHead, Histogram blockChunkDelay,
             long blockRequests, long blockErrors, long blockElapsedNanos, String blockFirstError) {
        latency.add(blockLatency);
        if (blockFirstByte != null) {
            firstByte.add(blockFirstByte);
            head.add(blockHead);
            chunkDelay.add(blockChunkDelay);
        }
        requests += blockRequests;
        errors += blockErrors;
        elapsedNanos += blockElapsedNanos;
        if (firstError == null) {
            firstError = blockFirstError;
        }
    }

    public Histogram latency() {
        return latency;
    }

    /** Adds the latency of a block's first request (sequential workloads; it is in {@link #latency()} too). */
    void addBlockStart(long latencyNanos) {
        blockStarts.recordValue(latencyNanos);
    }

    /**
     * Sequential workloads: each block's first request, sent after the target sat idle while the
     * other targets ran their blocks. Also counted in {@link #latency()}; empty for the others.
     */
    public Histogram blockStarts() {
        return blockStarts;
    }

    /** Time to the first body byte (streams: the first chunk). */
    public Histogram firstByte() {
        return firstByte;
    }

    /**
     * Time to the response headers (streams). Set beside {@link #firstByte()}: a gap between the
     * two means the first chunk was held back after the headers went out (e.g. Nagle's algorithm).
     */
    public Histogram head() {
        return head;
    }

    /**
     * Streams: for each chunk, the time from when the fake upstream sent it to when it arrived
     * here (a {@link dev.tollgate.bench.wire.ChunkStamp} in its id); empty when a target drops the id.
     */
    public Histogram chunkDelay() {
        return chunkDelay;
    }

    /** Successful requests (status 200 and, for streams, ending in {@code [DONE]}). */
    public long requests() {
        return requests;
    }

    public long errors() {
        return errors;
    }

    /** Time this target was under load, summed over its blocks. */
    public long elapsedNanos() {
        return elapsedNanos;
    }

    /** Successful requests per second under load. */
    public double throughput() {
        return elapsedNanos == 0 ? 0 : requests * 1e9 / elapsedNanos;
    }

    /** The first error seen, for the report; null when there was none. */
    public String firstError() {
        return firstError;
    }
}
