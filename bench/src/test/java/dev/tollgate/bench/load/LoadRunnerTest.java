package dev.tollgate.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.bench.report.TailExposure;
import dev.tollgate.bench.upstream.FakeUpstream;
import dev.tollgate.bench.upstream.UpstreamSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sequential blocks against the fake upstream, in-process on loopback. */
class LoadRunnerTest {

    @Test
    void eachSequentialBlockRecordsItsFirstRequestBesideAllOfThem() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start(0, new UpstreamSettings(5, 0));
             ConnectionPool pool = poolTo(upstream)) {
            Series series = new Series();
            LoadRunner.sequential(pool, LoadRunner.Kind.CHAT, 7, series);
            LoadRunner.sequential(pool, LoadRunner.Kind.CHAT, 7, series);

            assertEquals(14, series.latency().getTotalCount());
            assertEquals(2, series.blockStarts().getTotalCount(), "one first request per block");
            assertTrue(series.blockStarts().getMaxValue() <= series.latency().getMaxValue());
        }
    }

    @Test
    void pacedRequestsCountOnlyTheirOwnTimeUnderLoadNotThePauses() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start(0, new UpstreamSettings(5, 0));
             ConnectionPool pool = poolTo(upstream)) {
            Series series = new Series();
            long before = System.nanoTime();
            LoadRunner.paced(pool, LoadRunner.Kind.CHAT, 3, java.time.Duration.ofMillis(5), series);
            long wall = System.nanoTime() - before;

            assertEquals(3, series.requests());
            assertEquals(3, series.latency().getTotalCount());
            assertTrue(series.elapsedNanos() > 0);
            assertTrue(series.elapsedNanos() <= wall - 15_000_000L,
                    () -> "under load " + series.elapsedNanos() + " ns of " + wall + " ns, three 5 ms pauses excluded");
        }
    }

    @Test
    void theBlockStartNoteCountsTheSlowRequestsThatOpenedABlock() {
        Series sidecar = new Series();
        // Two blocks: each opens with a 2 ms request; one later request takes 0.9 ms; the rest 0.1 ms.
        sidecar.add(histogram(2_000_000, 900_000, 100_000, 100_000), null, null, null, 4, 0, 1_000_000_000L, null);
        sidecar.addBlockStart(2_000_000);
        sidecar.add(histogram(2_000_000, 100_000, 100_000, 100_000), null, null, null, 4, 0, 1_000_000_000L, null);
        sidecar.addBlockStart(2_000_000);
        Series concurrent = new Series(); // no block starts: left out of the line
        concurrent.add(histogram(100_000), null, null, null, 1, 0, 1_000_000L, null);
        Map<String, Series> targets = new LinkedHashMap<>();
        targets.put("sidecar", sidecar);
        targets.put("concurrent", concurrent);

        String note = TailExposure.blockStartNote("Sequential block starts", targets, 500_000);

        assertTrue(note.matches(".*sidecar 2\\.00\\d ms \\(2 of 3\\).*"), note);
        assertTrue(!note.contains("concurrent"), note);
    }

    private static ConnectionPool poolTo(FakeUpstream upstream) {
        return new ConnectionPool(Target.of("direct", "fake", upstream.port(), "/v1/chat/completions", Map.of(), "m"));
    }

    private static org.HdrHistogram.Histogram histogram(long... values) {
        org.HdrHistogram.Histogram h = Series.newHistogram();
        for (long v : values) {
            h.recordValue(v);
        }
        return h;
    }
}
