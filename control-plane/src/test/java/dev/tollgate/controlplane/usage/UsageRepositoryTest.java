package dev.tollgate.controlplane.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.store.Database;
import dev.tollgate.controlplane.store.TestPostgres;
import dev.tollgate.proto.control.v1.UsageRecord;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link UsageRepository} against a real PostgreSQL: every column lands, repeats are stored and reported once. */
class UsageRepositoryTest {

    private static Database db;
    private final List<List<String>> committed = new CopyOnWriteArrayList<>();
    private UsageRepository repository;

    @BeforeAll
    static void open() {
        db = TestPostgres.newDatabase();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @BeforeEach
    void empty() {
        TestPostgres.truncate(db.dataSource(), "usage_records");
        repository = new UsageRepository(db.dataSource(),
                records -> committed.add(records.stream().map(UsageRecord::getId).toList()));
    }

    private static UsageRecord record(String id) {
        return UsageRecord.newBuilder().setId(id).setAlias("gpt-4o").setHttpStatus(200).setStartedAtMs(1_700_000_000_123L)
                .build();
    }

    @Test
    void storesEveryColumnOfARecord() throws SQLException {
        String keyId = UUID.randomUUID().toString();
        UsageRecord full = UsageRecord.newBuilder().setId("req-1").setKeyId(keyId).setAlias("chat")
                .setDeploymentId("dep-a").setProvider("openai").setModel("gpt-4o-mini").setPromptTokens(11)
                .setCompletionTokens(22).setCachedTokens(3).setCostMicros(4567).setLatencyMs(89).setTtftMs(12)
                .setHttpStatus(429).setErrorType("rate_limit_error").setAttempts(2).setStream(true)
                .setSidecarName("web-1").setTraceId("0af7651916cd43dd8448eb211c80319c").setSpanId("b7ad6b7169203331")
                .setStartedAtMs(1_700_000_000_123L).setTeamId("team-x").setUserId("user-y").build();

        assertEquals(List.of("req-1"), repository.store(List.of(full)));

        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select key_id::text, alias, deployment_id, provider, model, prompt_tokens,"
                     + " completion_tokens, cached_tokens, cost_micros, latency_ms, ttft_ms, http_status, error_type,"
                     + " attempts, stream, sidecar_name, trace_id, span_id,"
                     + " (extract(epoch from started_at) * 1000)::bigint, team_id, user_id from usage_records")) {
            assertTrue(rs.next());
            assertEquals(keyId, rs.getString(1));
            assertEquals(List.of("chat", "dep-a", "openai", "gpt-4o-mini"),
                    List.of(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
            assertEquals(List.of(11L, 22L, 3L, 4567L, 89L, 12L),
                    List.of(rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), rs.getLong(11)));
            assertEquals(429, rs.getInt(12));
            assertEquals("rate_limit_error", rs.getString(13));
            assertEquals(2, rs.getInt(14));
            assertTrue(rs.getBoolean(15));
            assertEquals(List.of("web-1", "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"),
                    List.of(rs.getString(16), rs.getString(17), rs.getString(18)));
            assertEquals(1_700_000_000_123L, rs.getLong(19));
            assertEquals(List.of("team-x", "user-y"), List.of(rs.getString(20), rs.getString(21)));
            assertFalse(rs.next());
        }
    }

    @Test
    void emptyTeamUserAndBadKeyIdBecomeNullsAndAbsentAttemptsCountsOne() throws SQLException {
        UsageRecord bare = record("req-2").toBuilder().setKeyId("not-a-uuid").build();

        repository.store(List.of(bare));

        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select key_id, team_id, user_id, attempts from usage_records")) {
            assertTrue(rs.next());
            assertNull(rs.getString(1));
            assertNull(rs.getString(2));
            assertNull(rs.getString(3));
            assertEquals(1, rs.getInt(4));
        }
    }

    @Test
    void aRepeatedRecordIsStoredOnceAndPassedOnOnce() throws SQLException {
        assertEquals(List.of("a", "b"), repository.store(List.of(record("b"), record("a"))));
        // Re-delivered after a lost ack, together with a new one and a repeat inside the batch.
        assertEquals(List.of("a", "b", "c", "c"),
                repository.store(List.of(record("c"), record("a"), record("c"), record("b"))));

        assertEquals(List.of(List.of("a", "b"), List.of("c")), committed);
        assertEquals(3, count());
    }

    @Test
    void aBatchWithNothingNewPassesNothingOn() throws SQLException {
        repository.store(List.of(record("x")));
        committed.clear();

        assertEquals(List.of("x"), repository.store(List.of(record("x"))));

        assertTrue(committed.isEmpty());
    }

    @Test
    void aLargeBatchLandsWhole() throws SQLException {
        List<UsageRecord> batch = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            batch.add(record("bulk-" + i));
        }

        assertEquals(2_000, repository.store(batch).size());

        assertEquals(2_000, count());
        assertEquals(1, committed.size());
        assertEquals(2_000, committed.get(0).size());
    }

    private static long count() throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from usage_records")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
