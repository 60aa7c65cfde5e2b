package dev.tollgate.sidecar;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures java.util.logging records (which the sidecar, gRPC and Helidon write to) at the root
 * logger until closed: everything at {@code rootLevel} and above, and optionally everything at
 * all from chosen loggers. Levels are restored on close.
 */
public final class LogCapture implements AutoCloseable {

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Logger root = Logger.getLogger("");
    private final Level previous = root.getLevel();
    /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
    private final Map<Logger, Level> verbose = new LinkedHashMap<>();
    private final Handler handler;

    private LogCapture(Level level) {
        SimpleFormatter formatter = new SimpleFormatter();
        handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(formatter.format(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        root.setLevel(level);
        root.addHandler(handler);
    }

    public static LogCapture start(Level rootLevel) {
        return new LogCapture(rootLevel);
    }

    /** Also captures every record of these loggers and their children, whatever its level. */
    public LogCapture everythingFrom(String... loggerNames) {
        for (String name : loggerNames) {
            Logger logger = Logger.getLogger(name);
            verbose.put(logger, logger.getLevel());
            logger.setLevel(Level.ALL);
        }
        return this;
    }

    /** Everything captured so far, each record as text: message with its parameters, and any stack trace. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        root.setLevel(previous);
        verbose.forEach(Logger::setLevel);
    }
}
