package dev.tollgate.bench.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StreamScheduleTest {

    private static final long GAP = 1_000_000;

    @Test
    void eachChunkIsDueOneGapAfterThePreviousOnesSchedule() {
        StreamSchedule s = new StreamSchedule(5_000, GAP);
        assertEquals(GAP, s.waitBefore(1, 5_000));
        assertEquals(GAP / 2, s.waitBefore(1, 5_000 + GAP / 2));
        assertEquals(3 * GAP, s.waitBefore(3, 5_000));
    }

    @Test
    void aLateWakeUpShortensTheNextWaitInsteadOfShiftingTheRest() {
        StreamSchedule s = new StreamSchedule(0, GAP);
        // Chunk 1 went out 300 us late: chunk 2 is still due at two gaps.
        long chunk1Sent = GAP + 300_000;
        assertEquals(GAP - 300_000, s.waitBefore(2, chunk1Sent));
        // More than a gap late: the next chunk goes at once.
        assertEquals(0, s.waitBefore(3, 3 * GAP + 1));
        assertEquals(0, s.waitBefore(3, 5 * GAP));
    }

    @Test
    void noGapMeansNoWait() {
        StreamSchedule s = new StreamSchedule(42, 0);
        assertEquals(0, s.waitBefore(1, 42));
        assertEquals(0, s.waitBefore(99, 43));
    }

    @Test
    void aNegativeGapIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StreamSchedule(0, -1));
    }
}
