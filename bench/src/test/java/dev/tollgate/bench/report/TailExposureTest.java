package dev.tollgate.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class TailExposureTest {

    @Test
    void countsOnlyTheRequestsAboveTheThreshold() {
        Histogram h = new Histogram(100, 120_000_000_000L, 3);
        h.recordValueWithCount(100_000, 10);
        h.recordValue(500_000); // at the threshold: not slower
        h.recordValueWithCount(600_000, 3);
        h.recordValue(8_000_000);

        assertEquals(4, TailExposure.slowerThan(h, 500_000));
        assertEquals(1, TailExposure.slowerThan(h, 1_000_000));
        assertEquals(15, TailExposure.slowerThan(h, 50_000));
    }
}
