package dev.tollgate.controlplane.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.testing.TestClock;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** Readiness against a real PostgreSQL that is stopped and started again under it. */
class ReadinessTest {

    @TempDir
    Path dir;

    @Test
    void unreadyWithAReasonWhilePostgresIsDownAndReadyAgainOnceItIsBack() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmbeddedPostgres postgres = start(port);
        try {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
            ds.setUser("postgres");
            ds.setConnectTimeout(1);
            TestClock clock = new TestClock(Instant.parse("2026-11-24T12:00:00Z"));
            Readiness readiness = new Readiness(ds, clock, Duration.ofSeconds(1), Duration.ofSeconds(2));

            assertInstanceOf(Readiness.State.Ready.class, readiness.state());

            postgres.close();
            assertInstanceOf(Readiness.State.Ready.class, readiness.state(), "cached for the ttl: no query");
            clock.advance(Duration.ofSeconds(1));
            Readiness.State down = readiness.state();
            Readiness.State.Unready unready = assertInstanceOf(Readiness.State.Unready.class, down);
            assertTrue(unready.reason().startsWith("PostgreSQL unreachable"), unready.reason());

            postgres = start(port);
            assertInstanceOf(Readiness.State.Unready.class, readiness.state(), "still the cached answer");
            clock.advance(Duration.ofSeconds(1));
            assertInstanceOf(Readiness.State.Ready.class, readiness.state());

            readiness.shuttingDown();
            assertEquals(new Readiness.State.Unready("shutting down"), readiness.state());
        } finally {
            postgres.close();
        }
    }

    private EmbeddedPostgres start(int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(false)
                .setPort(port).start();
    }
}
