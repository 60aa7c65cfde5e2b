package dev.tollgate.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProcessFactsTest {

    @Test
    void theMedianWhileMeasuredLeavesOutTheWarmUpAndTheShortPeaks() {
        RunResults.ProcessFacts f = new RunResults.ProcessFacts();
        f.sampleRss(300 * 1024, false); // warm-up: in the peak only
        for (int i = 0; i < 9; i++) {
            f.sampleRss(150 * 1024 + 512, true);
        }
        f.sampleRss(180 * 1024, true);
        f.sampleRss(181 * 1024, true);

        assertEquals(300 * 1024, f.peakRssKb);
        assertEquals(181 * 1024, f.measuredPeakRssKb);
        assertEquals(150 * 1024, f.measuredMedianRssKb());
    }

    @Test
    void withoutMeasuredSamplesThereIsNoMedian() {
        RunResults.ProcessFacts f = new RunResults.ProcessFacts();
        f.sampleRss(120 * 1024, false);

        assertEquals(-1, f.measuredMedianRssKb());
    }
}
