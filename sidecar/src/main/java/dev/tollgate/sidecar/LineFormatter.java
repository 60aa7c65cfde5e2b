package dev.tollgate.sidecar;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One log line per record: {@code 2026-11-24T15:20:19.123Z INFO    logger.name - message}, then the
 * stack trace if any. What {@code SimpleFormatter} with the sidecar's format pattern writes, for a
 * fraction of the cost: that one looks up the calling class by walking the stack and runs
 * {@code String.format} for every line, and the sidecar logs a line per request. Thread-safe.
 */
final class LineFormatter extends Formatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** The formatted time up to the seconds ("2026-11-24T15:20:19."), for the second last seen. */
    private record Second(long epochSecond, String prefix) {
    }

    private volatile Second second = new Second(Long.MIN_VALUE, "");

    @Override
    public String format(LogRecord record) {
        String message = record.getParameters() == null || record.getParameters().length == 0
                ? record.getMessage() : formatMessage(record);
        String level = record.getLevel().getLocalizedName();
        StringBuilder line = new StringBuilder(64 + (message == null ? 4 : message.length()));
        appendTime(record.getMillis(), line);
        line.append(' ').append(level);
        for (int pad = level.length(); pad < 7; pad++) {
            line.append(' ');
        }
        line.append(' ').append(record.getLoggerName()).append(" - ").append(message);
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            try (PrintWriter pw = new PrintWriter(trace)) {
                pw.println();
                record.getThrown().printStackTrace(pw);
            }
            line.append(trace.toString().stripTrailing());
        }
        return line.append(System.lineSeparator()).toString();
    }

    /** Formats the date and time once per second; lines within it only add their milliseconds. */
    private void appendTime(long millis, StringBuilder line) {
        long epochSecond = Math.floorDiv(millis, 1000);
        Second known = second;
        if (known.epochSecond() != epochSecond) {
            StringBuilder prefix = new StringBuilder(24);
            TIME.formatTo(Instant.ofEpochSecond(epochSecond), prefix);
            known = new Second(epochSecond, prefix.substring(0, prefix.length() - 4));
            second = known;
        }
        int ms = (int) Math.floorMod(millis, 1000);
        line.append(known.prefix()).append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10))
                .append((char) ('0' + ms % 10)).append('Z');
    }
}
