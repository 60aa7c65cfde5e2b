package dev.tollgate.sidecar;

import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/** One-line log format for java.util.logging (which gRPC and Helidon write to). */
final class Logging {

    private Logging() {
    }

    /**
     * Must run before anything touches java.util.logging: it installs {@link Manager}, which only
     * the JVM's first {@code LogManager.getLogManager()} can.
     */
    static void configure() {
        // An operator's own SimpleFormatter pattern wins; otherwise the cheaper formatter of the same shape.
        boolean ownPattern = System.getProperty("java.util.logging.SimpleFormatter.format") != null;
        if (!ownPattern) {
            // Still the pattern for any SimpleFormatter made elsewhere (tests' log captures), same shape.
            System.setProperty("java.util.logging.SimpleFormatter.format",
                    "%1$tFT%1$tT.%1$tLZ %4$-7s %3$s - %5$s%6$s%n");
        }
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", Manager.class.getName());
        }
        LogManager.getLogManager().reset();
        BufferedConsoleHandler handler = new BufferedConsoleHandler();
        if (!ownPattern) {
            handler.setFormatter(new LineFormatter());
        }
        handler.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        if (LogManager.getLogManager() instanceof Manager manager) {
            manager.holdResets = true;
        }
    }

    /** Closes the log handlers; the last step of the shutdown sequence. */
    static void finish() {
        if (LogManager.getLogManager() instanceof Manager manager) {
            manager.holdResets = false;
            manager.reset();
        }
    }

    /**
     * The JDK's LogManager resets itself (closing every handler) from a shutdown hook of its own,
     * which runs at the same time as ours: the lines our shutdown sequence writes (what it drained,
     * what it flushed) would be lost. This one ignores resets until {@link #finish()}.
     */
    public static final class Manager extends LogManager {
        volatile boolean holdResets;

        public Manager() {
        }

        @Override
        public void reset() {
            if (!holdResets) {
                super.reset();
            }
        }
    }
}
