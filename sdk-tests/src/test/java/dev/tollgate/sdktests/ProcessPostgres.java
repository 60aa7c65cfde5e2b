package dev.tollgate.sdktests;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.Locale;

/**
 * The embedded PostgreSQL that black-box tests share between control-plane processes (replicas,
 * restarts): its binaries come from the test classpath.
 */
final class ProcessPostgres {

    private ProcessPostgres() {
    }

    /** A builder over {@code dataDir} that keeps its data across restarts. */
    static EmbeddedPostgres.Builder builder(java.nio.file.Path dataDir) {
        return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
                // In a reactor build the control-plane jar's manifest puts a second copy of the binaries
                // on the classpath; the default resolver refuses duplicates, any copy will do.
                .setPgBinaryResolver((system, hardware) -> ProcessPostgres.class.getResourceAsStream(
                        "/postgres-" + system.toLowerCase(Locale.ROOT) + "-" + hardware + ".txz"));
    }
}
