package dev.tollgate.bench.report;

import dev.tollgate.bench.load.Series;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * How often each target's requests were slower than a threshold, per second it was under load.
 *
 * <p>On a shared machine the interruptions (another process taking the core, any JVM's collection)
 * arrive at some rate per second, whichever target is being measured. A target whose requests take
 * longer is under load longer for the same count, so more of its requests are hit and its p99 rises
 * without any tail of its own. Equal rates per second under load say the tail is the machine's; a
 * higher rate for a target is a tail that target adds.
 */
public final class TailExposure {

    private TailExposure() {
    }

    /** Requests that took longer than {@code thresholdNanos}. */
    static long slowerThan(Histogram latency, long thresholdNanos) {
        long n = 0;
        for (HistogramIterationValue v : latency.recordedValues()) {
            if (latency.lowestEquivalentValue(v.getValueIteratedTo()) > thresholdNanos) {
                n += v.getCountAddedInThisIterationStep();
            }
        }
        return n;
    }

    /** One report line: for each target, slow requests per second under load and their count. */
    public static String note(String workload, Map<String, Series> targets, long thresholdNanos) {
        StringBuilder line = new StringBuilder(workload).append(": requests over ")
                .append(String.format(Locale.ROOT, "%.1f", thresholdNanos / 1e6)).append(" ms per second under load:");
        String sep = " ";
        for (Map.Entry<String, Series> e : targets.entrySet()) {
            Series s = e.getValue();
            long slow = slowerThan(s.latency(), thresholdNanos);
            double seconds = s.elapsedNanos() / 1e9;
            line.append(sep).append(e.getKey()).append(' ')
                    .append(seconds > 0 ? String.format(Locale.ROOT, "%.0f", slow / seconds) : "n/a")
                    .append(" (").append(slow).append(" of ").append(s.latency().getTotalCount()).append(')');
            sep = ", ";
        }
        return line.append(". Similar rates mean the slow requests are the shared machine's interruptions, hitting"
                + " each target for as long as it is under load; a higher rate is a tail the target adds.").toString();
    }

    /**
     * One report line on the sequential blocks' first requests: for each target, their median, and
     * how many of its requests slower than {@code thresholdNanos} were a block's first. A target
     * that sat idle while the others ran starts its block with cold caches and parked threads; when
     * most of its slow requests are block starts, its tail is the cost of waking up after idle
     * (which an app that calls now and then meets on every call), not of steady load.
     */
    public static String blockStartNote(String workload, Map<String, Series> targets, long thresholdNanos) {
        StringBuilder line = new StringBuilder(workload).append(": each block's first request (after the target"
                + " was idle while the others ran): median, and how many of the requests over ")
                .append(String.format(Locale.ROOT, "%.1f", thresholdNanos / 1e6)).append(" ms were block starts:");
        String sep = " ";
        for (Map.Entry<String, Series> e : targets.entrySet()) {
            Histogram starts = e.getValue().blockStarts();
            if (starts.getTotalCount() == 0) {
                continue;
            }
            line.append(sep).append(e.getKey()).append(' ')
                    .append(String.format(Locale.ROOT, "%.3f ms", starts.getValueAtPercentile(50) / 1e6))
                    .append(" (").append(slowerThan(starts, thresholdNanos)).append(" of ")
                    .append(slowerThan(e.getValue().latency(), thresholdNanos)).append(')');
            sep = ", ";
        }
        return line.append('.').toString();
    }
}
