package dev.tollgate.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LineFormatterTest {

    private static LogRecord record(Level level, String message, Throwable thrown) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName("tollgate.request");
        r.setInstant(Instant.parse("2026-11-24T15:20:19.123Z"));
        r.setThrown(thrown);
        return r;
    }

    @Test
    void lineHasUtcTimePaddedLevelLoggerAndMessage() {
        assertEquals("2026-11-24T15:20:19.123Z INFO    tollgate.request - request r1 status=200"
                        + System.lineSeparator(),
                new LineFormatter().format(record(Level.INFO, "request r1 status=200", null)));
        assertEquals("2026-11-24T15:20:19.123Z WARNING tollgate.request - spool slow" + System.lineSeparator(),
                new LineFormatter().format(record(Level.WARNING, "spool slow", null)));
    }

    @Test
    void timeIsRightWithinASecondAndAcrossSeconds() {
        LineFormatter formatter = new LineFormatter();
        for (String at : new String[] {"2026-11-24T15:20:19.123Z", "2026-11-24T15:20:19.007Z",
                "2026-11-24T15:20:20.000Z", "2026-11-24T15:20:19.999Z", "1969-12-31T23:59:59.950Z"}) {
            LogRecord r = record(Level.INFO, "m", null);
            r.setInstant(Instant.parse(at));
            assertEquals(at + " INFO    tollgate.request - m" + System.lineSeparator(), formatter.format(r));
        }
    }

    @Test
    void stackTraceFollowsOnTheNextLines() {
        String text = new LineFormatter().format(record(Level.SEVERE, "failed", new IllegalStateException("boom")));
        assertTrue(text.startsWith("2026-11-24T15:20:19.123Z SEVERE  tollgate.request - failed" + System.lineSeparator()
                + "java.lang.IllegalStateException: boom" + System.lineSeparator() + "\tat "), text);
    }
}
