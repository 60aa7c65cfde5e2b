package dev.tollgate.controlplane.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Flyway as several replicas meet it: starting together, and a migration that fails. */
class MigrationTest {

    @Test
    void replicasOpeningTheSameEmptyDatabaseTogetherMigrateItOnce() throws Exception {
        String url = TestDatabase.freshUrl();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Database>> opening = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Callable<Database> open = () -> Database.open(Optional.of(url), Path.of("unused"), "postgres", "");
                opening.add(pool.submit(open));
            }
            for (Future<Database> f : opening) {
                f.get().close();
            }
        } finally {
            pool.shutdown();
        }
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*), count(distinct version), bool_and(success)"
                     + " from flyway_schema_history where version is not null")) {
            rs.next();
            assertEquals(rs.getInt(1), rs.getInt(2), "a migration was applied twice");
            assertTrue(rs.getBoolean(3));
        }
    }

    @Test
    void aFailedMigrationStopsTheStartWithAClearMessageAndIsNotRecordedAsDone() throws Exception {
        String url = TestDatabase.freshUrl();
        Database.open(Optional.of(url), Path.of("unused"), "postgres", "").close();
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            // V3 forgotten while its table stays: running it again fails half-way ("already exists").
            s.execute("delete from flyway_schema_history where version = '3'");
        }

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Database.open(Optional.of(url), Path.of("unused"), "postgres", ""));

        assertTrue(e.getMessage().startsWith("database migration failed; the control plane will not start"),
                e.getMessage());
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from flyway_schema_history where version = '3'"
                     + " and success")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the failed migration is marked done");
        }
    }
}
