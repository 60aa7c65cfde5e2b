package dev.tollgate.bench.report;

import dev.tollgate.bench.load.Series;
import org.HdrHistogram.Histogram;

/**
 * A latency distribution in milliseconds, with its counts and rate.
 *
 * @param requests      successful requests
 * @param errors        failed requests (non-200, broken stream, I/O error)
 * @param throughputRps successful requests per second while under load
 */
public record Percentiles(long requests, long errors, double throughputRps, double meanMs, double p50Ms, double p90Ms,
                          double p99Ms, double p999Ms, double maxMs) {

    public static Percentiles latency(Series s) {
        return of(s.latency(), s);
    }

    public static Percentiles firstByte(Series s) {
        return of(s.firstByte(), s);
    }

    /** Streams: each chunk's time from the upstream's send to its arrival at the client. */
    public static Percentiles chunkDelay(Series s) {
        return of(s.chunkDelay(), s);
    }

    public static Percentiles head(Series s) {
        return of(s.head(), s);
    }

    private static Percentiles of(Histogram h, Series s) {
        if (h.getTotalCount() == 0) {
            return new Percentiles(s.requests(), s.errors(), s.throughput(), Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN);
        }
        return new Percentiles(s.requests(), s.errors(), s.throughput(), h.getMean() / 1e6,
                ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e6;
    }

    /** This distribution minus {@code base}, percentile by percentile (not a distribution of differences). */
    public Percentiles minus(Percentiles base) {
        return new Percentiles(requests, errors, throughputRps, meanMs - base.meanMs, p50Ms - base.p50Ms,
                p90Ms - base.p90Ms, p99Ms - base.p99Ms, p999Ms - base.p999Ms, maxMs - base.maxMs);
    }
}
