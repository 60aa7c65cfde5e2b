package dev.tollgate.controlplane.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.store.Database;
import dev.tollgate.controlplane.testing.TestClock;
import dev.tollgate.controlplane.testing.TestDatabase;
import dev.tollgate.proto.control.v1.LeaseGrant;
import dev.tollgate.proto.control.v1.LeaseKind;
import dev.tollgate.proto.control.v1.LeaseRequest;
import dev.tollgate.proto.control.v1.LeaseSubject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeaseLedgerTest {

    private static final Instant START = Instant.parse("2026-05-01T12:00:00Z");

    private final TestClock clock = new TestClock(START);
    private final Map<String, Limits> limits = new ConcurrentHashMap<>();
    private Database db;
    private LeaseLedger ledger;

    @BeforeEach
    void open() throws Exception {
        db = TestDatabase.fresh();
        ledger = newLedger();
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** A ledger as a (re)started control plane builds it: only the database and the clock carry over. */
    private LeaseLedger newLedger() {
        return new LeaseLedger(db.dataSource(), (kind, id) -> Optional.ofNullable(limits.get(kind + ":" + id)),
                (kind, id, window) -> 0, clock);
    }

    private static Limits budget(long micros, String duration) {
        return new Limits(Optional.of(micros), Optional.empty(),
                duration == null ? Optional.empty() : Optional.of(BudgetDuration.parse(duration)), START,
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static LeaseSubject subject(String id, LeaseKind kind) {
        return LeaseSubject.newBuilder().setEntityKind("key").setEntityId(id).setKind(kind).build();
    }

    private static LeaseRequest.Builder request(LeaseSubject subject, String leaseId) {
        return LeaseRequest.newBuilder().setSubject(subject).setLeaseId(leaseId);
    }

    @Test
    void grantsNeverExceedTheLimitUnderConcurrentRequestsFromManySidecars() throws Exception {
        limits.put("key:k1", budget(100_000, "1d"));
        LeaseSubject s = subject("k1", LeaseKind.LEASE_KIND_BUDGET);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicLong spent = new AtomicLong();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int sidecar = t;
            done.add(pool.submit(() -> {
                String id = UUID.randomUUID().toString();
                long granted = 0;
                long consumed = 0;
                for (int i = 0; i < 60; i++) {
                    LeaseGrant g = ledger.handle(request(s, id).setConsumed(consumed).setNeed(700).setWant(3_000).build(),
                            "sidecar-" + sidecar);
                    granted = Math.max(granted, g.getGranted());
                    // Spend everything granted, as a sidecar at full load would.
                    spent.addAndGet(granted - consumed);
                    consumed = granted;
                    if (g.getRefusal().equals("exhausted")) {
                        break;
                    }
                }
                ledger.handle(request(s, id).setConsumed(consumed).setRelease(true).build(), "sidecar-" + sidecar);
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertTrue(spent.get() <= 100_000, "spent " + spent.get() + " of a 100000 budget");
        assertTrue(spent.get() > 100_000 - 8 * 700, "the budget was not used: " + spent.get());
        assertEquals(spent.get(), windowColumn("consumed"));
        assertEquals(spent.get(), windowColumn("allocated"));
    }

    @Test
    void releasedRestReturnsToThePoolAndOverspendShrinksLaterGrants() throws Exception {
        limits.put("key:k2", budget(10_000, null));
        LeaseSubject s = subject("k2", LeaseKind.LEASE_KIND_BUDGET);
        String a = UUID.randomUUID().toString();
        LeaseGrant first = ledger.handle(request(s, a).setNeed(1_000).setWant(4_000).build(), "a");
        assertEquals(4_000, first.getGranted());
        assertEquals(6_000, first.getWindowAvailable());
        // Spent 1000 and gives the rest back.
        LeaseGrant released = ledger.handle(request(s, a).setConsumed(1_000).setRelease(true).build(), "a");
        assertEquals("released", released.getRefusal());
        assertEquals(9_000, windowAvailable(s));

        String b = UUID.randomUUID().toString();
        LeaseGrant second = ledger.handle(request(s, b).setNeed(500).setWant(1_000).build(), "b");
        assertEquals(1_000, second.getGranted());
        // b overspent by 1500 (an unbounded request); that comes out of what others can get.
        LeaseGrant report = ledger.handle(request(s, b).setConsumed(2_500).build(), "b");
        assertEquals(2_500, report.getGranted());
        assertEquals(10_000 - 1_000 - 2_500, report.getWindowAvailable());
        assertEquals(3_500, report.getWindowConsumed());
    }

    @Test
    void exhaustedWindowRefusesWithRetryAndNeverGrantsPartOfANeed() throws Exception {
        limits.put("key:k3", budget(1_000, "1h"));
        LeaseSubject s = subject("k3", LeaseKind.LEASE_KIND_BUDGET);
        String a = UUID.randomUUID().toString();
        assertEquals(800, ledger.handle(request(s, a).setNeed(800).build(), "a").getGranted());
        LeaseGrant refused = ledger.handle(request(s, UUID.randomUUID().toString()).setNeed(300).build(), "b");
        assertEquals("exhausted", refused.getRefusal());
        assertEquals(0, refused.getGranted());
        assertTrue(refused.getRetryAfterMs() > 0);
        assertEquals(START.plus(Duration.ofHours(1)).toEpochMilli(), refused.getWindowEndMs());
    }

    @Test
    void budgetWindowResetsOnTimeAlsoAfterAControlPlaneRestart() throws Exception {
        limits.put("key:k4", budget(1_000, "30s"));
        LeaseSubject s = subject("k4", LeaseKind.LEASE_KIND_BUDGET);
        String a = UUID.randomUUID().toString();
        assertEquals(1_000, ledger.handle(request(s, a).setNeed(1_000).build(), "a").getGranted());
        assertEquals("exhausted", ledger.handle(request(s, a).setConsumed(1_000).setNeed(1).build(), "a").getRefusal());

        clock.advance(Duration.ofSeconds(29));
        ledger = newLedger();
        assertEquals("exhausted", ledger.handle(request(s, a).setConsumed(1_000).setNeed(1).build(), "a").getRefusal(),
                "a restart must not reset the budget before its window ends");

        clock.advance(Duration.ofSeconds(2));
        ledger = newLedger();
        LeaseGrant ended = ledger.handle(request(s, a).setConsumed(1_000).setNeed(1).build(), "a");
        assertEquals("window_ended", ended.getRefusal());
        assertEquals(START.plusSeconds(30).toEpochMilli(), ended.getWindowStartMs());
        LeaseGrant fresh = ledger.handle(request(s, UUID.randomUUID().toString()).setNeed(400).build(), "a");
        assertEquals("", fresh.getRefusal());
        assertEquals(400, fresh.getGranted());
        assertEquals(START.plusSeconds(60).toEpochMilli(), fresh.getWindowEndMs());
    }

    @Test
    void requestAllowanceIsPerEpochMinute() throws Exception {
        limits.put("key:k5", new Limits(Optional.empty(), Optional.empty(), Optional.empty(), START, Optional.of(10L),
                Optional.empty(), Optional.empty()));
        LeaseSubject s = subject("k5", LeaseKind.LEASE_KIND_REQUESTS);
        clock.advance(Duration.ofSeconds(20));
        String a = UUID.randomUUID().toString();
        LeaseGrant g = ledger.handle(request(s, a).setNeed(1).setWant(8).build(), "a");
        assertEquals(5, g.getGranted(), "at most half of what is left goes to one request");
        assertEquals(START.plusSeconds(60).toEpochMilli(), g.getWindowEndMs());
        assertEquals(8, ledger.handle(request(s, a).setConsumed(5).setNeed(1).setWant(8).build(), "a").getGranted());
        assertEquals(10, ledger.handle(request(s, a).setConsumed(8).setNeed(2).setWant(8).build(), "a").getGranted());
        assertEquals("exhausted", ledger.handle(request(s, a).setConsumed(10).setNeed(1).build(), "a").getRefusal());
        clock.advance(Duration.ofSeconds(40));
        assertEquals("window_ended", ledger.handle(request(s, a).setConsumed(10).setNeed(1).build(), "a").getRefusal());
    }

    @Test
    void anEntityWithoutTheLimitIsRefusedAsNoLimit() throws Exception {
        LeaseGrant g = ledger.handle(request(subject("nobody", LeaseKind.LEASE_KIND_BUDGET), UUID.randomUUID().toString())
                .setNeed(1).build(), "a");
        assertEquals("no_limit", g.getRefusal());
    }

    private long windowColumn(String column) throws Exception {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("select sum(" + column + ") from lease_windows");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long windowAvailable(LeaseSubject s) throws Exception {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("select limit_amount - allocated from lease_windows"
                     + " where entity_id = ?")) {
            ps.setString(1, s.getEntityId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
