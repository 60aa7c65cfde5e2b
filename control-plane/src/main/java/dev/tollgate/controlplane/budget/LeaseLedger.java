package dev.tollgate.controlplane.budget;

import dev.tollgate.controlplane.store.Transactions;
import dev.tollgate.proto.control.v1.LeaseGrant;
import dev.tollgate.proto.control.v1.LeaseKind;
import dev.tollgate.proto.control.v1.LeaseRequest;
import dev.tollgate.proto.control.v1.LeaseSubject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Hands sidecars leases on budgets and rate limits, with every decision made in PostgreSQL.
 *
 * <h2>State</h2>
 * One {@code lease_windows} row per (entity, allowance kind, window) holds the entity's limit,
 * {@code allocated} (all amounts handed out as leases in the window, plus reported overshoot,
 * minus what released leases gave back) and {@code consumed} (what sidecars reported settled).
 * One {@code leases} row per lease holds its cumulative {@code granted} and {@code consumed}.
 * Nothing lives only in memory, so any replica can answer any request and a restart loses nothing.
 *
 * <h2>Atomicity</h2>
 * Each request is one transaction that locks the window row ({@code SELECT ... FOR UPDATE}) and
 * then, if there is one, the lease row, always in that order (so two transactions cannot wait on
 * each other), and grows {@code allocated} with a conditional
 * {@code UPDATE ... WHERE allocated + grant <= limit}. Invariant kept by every transaction:
 * {@code allocated >= sum over the window's leases of max(granted, consumed)} and no grant makes
 * {@code allocated} exceed the limit.
 *
 * <h2>Windows</h2>
 * Budget windows come from the entity's stored anchor and {@code budget_duration}; rate windows
 * are epoch-aligned minutes. Both are computed from the injected {@link Clock}, so a restarted or
 * second control plane agrees on them; a new window simply has a new row. A lease belongs to one
 * window; asked to grow after its window ended, it answers {@code window_ended} and the sidecar
 * opens a new lease.
 *
 * <p>Thread-safe: holds no mutable state beside a pruning timestamp.
 */
public final class LeaseLedger {

    private static final System.Logger LOG = System.getLogger(LeaseLedger.class.getName());
    private static final long RETRY_SOON_MS = 1_000;
    private static final Duration KEEP_ENDED_WINDOWS = Duration.ofDays(1);

    /** The current limits of an entity ({@code key}, {@code team}, {@code user}, {@code key_model}). */
    @FunctionalInterface
    public interface LimitSource {
        Optional<Limits> limits(String entityKind, String entityId) throws SQLException;
    }

    /** Settled spend of an entity in a window (from the usage table), to open a window mid-way. */
    @FunctionalInterface
    public interface SpendSource {
        long spendMicros(String entityKind, String entityId, BudgetWindow window) throws SQLException;
    }

    private final DataSource db;
    private final LimitSource limits;
    private final SpendSource spend;
    private final Clock clock;
    private final AtomicLong lastPruneMs = new AtomicLong();

    public LeaseLedger(DataSource db, LimitSource limits, SpendSource spend, Clock clock) {
        this.db = db;
        this.limits = limits;
        this.spend = spend;
        this.clock = clock;
    }

    /** What the sidecar's request leads to; never throws for a refusal, only for a database failure. */
    public LeaseGrant handle(LeaseRequest req, String sidecarName) throws SQLException {
        LeaseSubject subject = req.getSubject();
        if (subject.getKind() == LeaseKind.LEASE_KIND_UNSPECIFIED || subject.getEntityId().isEmpty()) {
            return refusal(req, "unavailable", RETRY_SOON_MS).build();
        }
        UUID leaseId;
        try {
            leaseId = UUID.fromString(req.getLeaseId());
        } catch (IllegalArgumentException e) {
            return refusal(req, "unavailable", RETRY_SOON_MS).build();
        }
        Instant now = clock.instant();
        Optional<Limits> entityLimits = limits.limits(subject.getEntityKind(), subject.getEntityId());
        Optional<Long> limit = entityLimits.flatMap(l -> limitOf(l, subject.getKind()));
        Optional<BudgetWindow> current = entityLimits.map(l -> subject.getKind() == LeaseKind.LEASE_KIND_BUDGET
                ? l.window(now) : BudgetWindow.rateMinute(now));
        LeaseGrant grant = Transactions.run(db, c -> {
            Optional<Instant> leaseWindow = leaseWindow(c, leaseId);
            if (leaseWindow.isPresent()) {
                return existing(c, req, leaseId, leaseWindow.get(), limit, current, now);
            }
            if (req.getRelease()) {
                return refusal(req, "released", 0).build();
            }
            if (limit.isEmpty() || current.isEmpty()) {
                return refusal(req, "no_limit", RETRY_SOON_MS).build();
            }
            return open(c, req, leaseId, sidecarName, limit.get(), current.get(), now);
        });
        prune(now);
        return grant.toBuilder().setServerTimeMs(now.toEpochMilli()).build();
    }

    /** Applies the consumption report, then releases, refuses or tops up an existing lease. */
    private LeaseGrant existing(Connection c, LeaseRequest req, UUID id, Instant windowStart, Optional<Long> limit,
                                Optional<BudgetWindow> current, Instant now) throws SQLException {
        LeaseSubject s = req.getSubject();
        WindowRow window = lockWindow(c, s, windowStart).orElseThrow(() ->
                new SQLException("lease " + id + " points at a missing window"));
        LeaseRow lease = lockLease(c, id);
        long consumed = Math.max(lease.consumed, req.getConsumed());
        long overBefore = Math.max(0, lease.consumed - lease.granted);
        long overAfter = Math.max(0, consumed - lease.granted);
        long allocatedDelta = overAfter - overBefore;
        long consumedDelta = consumed - lease.consumed;
        long granted = Math.max(lease.granted, consumed);
        String refusal = "";
        if (lease.released || req.getRelease()) {
            if (!lease.released) {
                // What the lease held but did not spend goes back to the window's pool.
                allocatedDelta -= Math.max(0, lease.granted - consumed);
            }
            refusal = "released";
        } else if (current.isEmpty() || limit.isEmpty()) {
            refusal = "no_limit";
        } else if (!current.get().start().equals(windowStart)) {
            refusal = "window_ended";
        } else {
            long extra = decide(req, limit.get(), window.allocated + allocatedDelta);
            if (extra > 0) {
                allocatedDelta += extra;
                granted += extra;
            } else if (req.getNeed() > 0) {
                refusal = "exhausted";
            }
        }
        updateWindow(c, s, windowStart, allocatedDelta, consumedDelta, limit.orElse(window.limit));
        updateLease(c, id, granted, consumed, lease.released || req.getRelease(), now);
        WindowRow after = lockWindow(c, s, windowStart).orElseThrow();
        LeaseGrant.Builder out = grant(req, after, granted).setRefusal(refusal);
        if (refusal.equals("window_ended")) {
            out.setWindowStartMs(current.get().start().toEpochMilli())
                    .setWindowEndMs(current.get().endMillisOrZero());
        } else if (refusal.equals("exhausted") || refusal.equals("no_limit")) {
            out.setRetryAfterMs(retryAfter(after, now));
        }
        return out.build();
    }

    /** A new lease: opens the window row if needed and grants from what is left in it. */
    private LeaseGrant open(Connection c, LeaseRequest req, UUID id, String sidecarName, long limit,
                            BudgetWindow current, Instant now) throws SQLException {
        LeaseSubject s = req.getSubject();
        ensureWindow(c, s, current, limit);
        WindowRow window = lockWindow(c, s, current.start()).orElseThrow();
        long amount = decide(req, limit, window.allocated);
        if (amount == 0) {
            updateWindow(c, s, current.start(), 0, 0, limit);
            WindowRow after = lockWindow(c, s, current.start()).orElseThrow();
            return grant(req, after, 0).setRefusal("exhausted").setRetryAfterMs(retryAfter(after, now)).build();
        }
        if (!updateWindow(c, s, current.start(), amount, 0, limit)) {
            throw new SQLException("grant of " + amount + " exceeds the limit under lock: the invariant is broken");
        }
        try (PreparedStatement ps = c.prepareStatement("insert into leases (id, entity_kind, entity_id, lease_kind,"
                + " window_start, sidecar_name, granted, consumed, released, created_at, updated_at)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, false, ?, ?)")) {
            ps.setObject(1, id);
            ps.setString(2, s.getEntityKind());
            ps.setString(3, s.getEntityId());
            ps.setShort(4, (short) s.getKindValue());
            ps.setTimestamp(5, Timestamp.from(current.start()));
            ps.setString(6, sidecarName);
            ps.setLong(7, amount);
            ps.setLong(8, Math.max(0, req.getConsumed()));
            ps.setTimestamp(9, Timestamp.from(now));
            ps.setTimestamp(10, Timestamp.from(now));
            ps.executeUpdate();
        }
        return grant(req, lockWindow(c, s, current.start()).orElseThrow(), amount).build();
    }

    /**
     * How much more to grant: what the sidecar wants, at least what it needs, at most half of what
     * is left (so one busy sidecar cannot take the whole pool at once) unless its need is larger,
     * never more than what is left. Zero when even the need does not fit.
     */
    static long decide(LeaseRequest req, long limit, long allocated) {
        if (req.getNeed() <= 0 && req.getWant() <= 0) {
            return 0;
        }
        long remaining = limit - allocated;
        long need = Math.max(1, req.getNeed());
        if (remaining < need) {
            return 0;
        }
        long want = Math.max(need, req.getWant());
        long half = (remaining + 1) / 2;
        return Math.min(remaining, Math.max(need, Math.min(want, half)));
    }

    private static Optional<Long> limitOf(Limits l, LeaseKind kind) {
        return switch (kind) {
            case LEASE_KIND_BUDGET -> l.maxBudgetMicros();
            case LEASE_KIND_REQUESTS -> l.rpmLimit();
            case LEASE_KIND_TOKENS -> l.tpmLimit();
            case LEASE_KIND_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
        };
    }

    private static long retryAfter(WindowRow window, Instant now) {
        // Others may give allowance back before the window ends: ask again soon, and surely at its end.
        return window.end.map(end -> Math.max(1, Math.min(RETRY_SOON_MS, end.toEpochMilli() - now.toEpochMilli())))
                .orElse(RETRY_SOON_MS);
    }

    private LeaseGrant.Builder grant(LeaseRequest req, WindowRow window, long granted) {
        return LeaseGrant.newBuilder()
                .setSubject(req.getSubject())
                .setLeaseId(req.getLeaseId())
                .setWindowStartMs(window.start.toEpochMilli())
                .setWindowEndMs(window.end.map(Instant::toEpochMilli).orElse(0L))
                .setGranted(granted)
                .setLimit(window.limit)
                .setWindowConsumed(window.consumed)
                .setWindowAvailable(Math.max(0, window.limit - window.allocated));
    }

    private static LeaseGrant.Builder refusal(LeaseRequest req, String why, long retryAfterMs) {
        return LeaseGrant.newBuilder().setSubject(req.getSubject()).setLeaseId(req.getLeaseId())
                .setRefusal(why).setRetryAfterMs(retryAfterMs);
    }

    private record WindowRow(Instant start, Optional<Instant> end, long limit, long allocated, long consumed) {
    }

    private record LeaseRow(long granted, long consumed, boolean released) {
    }

    private static Optional<Instant> leaseWindow(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select window_start from leases where id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.empty();
            }
        }
    }

    private static LeaseRow lockLease(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select granted, consumed, released from leases where id = ? for update")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("lease " + id + " vanished under lock");
                }
                return new LeaseRow(rs.getLong(1), rs.getLong(2), rs.getBoolean(3));
            }
        }
    }

    private void ensureWindow(Connection c, LeaseSubject s, BudgetWindow window, long limit) throws SQLException {
        try (PreparedStatement exists = c.prepareStatement("select 1 from lease_windows where entity_kind = ?"
                + " and entity_id = ? and lease_kind = ? and window_start = ?")) {
            bindKey(exists, 1, s, window.start());
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        // Spend settled before the budget had leases in this window (a budget added mid-window) counts.
        long opening = s.getKind() == LeaseKind.LEASE_KIND_BUDGET
                ? spend.spendMicros(s.getEntityKind(), s.getEntityId(), window) : 0;
        try (PreparedStatement ps = c.prepareStatement("insert into lease_windows (entity_kind, entity_id, lease_kind,"
                + " window_start, window_end, limit_amount, allocated, consumed) values (?, ?, ?, ?, ?, ?, ?, ?)"
                + " on conflict do nothing")) {
            int next = bindKey(ps, 1, s, window.start());
            ps.setTimestamp(next, window.end().map(Timestamp::from).orElse(null));
            ps.setLong(next + 1, limit);
            ps.setLong(next + 2, opening);
            ps.setLong(next + 3, opening);
            ps.executeUpdate();
        }
    }

    private static Optional<WindowRow> lockWindow(Connection c, LeaseSubject s, Instant start) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select window_start, window_end, limit_amount, allocated,"
                + " consumed from lease_windows where entity_kind = ? and entity_id = ? and lease_kind = ?"
                + " and window_start = ? for update")) {
            bindKey(ps, 1, s, start);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Timestamp end = rs.getTimestamp(2);
                return Optional.of(new WindowRow(rs.getTimestamp(1).toInstant(),
                        Optional.ofNullable(end).map(Timestamp::toInstant), rs.getLong(3), rs.getLong(4),
                        rs.getLong(5)));
            }
        }
    }

    /**
     * The conditional update: grows allocated only while the result stays within the limit, unless
     * the change is a report of spend already made (negative or overshoot deltas always apply).
     * Returns whether the row was updated.
     */
    private static boolean updateWindow(Connection c, LeaseSubject s, Instant start, long allocatedDelta,
                                        long consumedDelta, long limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update lease_windows set allocated = allocated + ?,"
                + " consumed = consumed + ?, limit_amount = ? where entity_kind = ? and entity_id = ?"
                + " and lease_kind = ? and window_start = ? and (? <= 0 or allocated + ? <= ? or ?)")) {
            ps.setLong(1, allocatedDelta);
            ps.setLong(2, consumedDelta);
            ps.setLong(3, limit);
            int next = bindKey(ps, 4, s, start);
            ps.setLong(next, allocatedDelta);
            ps.setLong(next + 1, allocatedDelta);
            ps.setLong(next + 2, limit);
            // Reported spend (consumption beyond a lease) is a fact, not a grant: it always counts.
            ps.setBoolean(next + 3, consumedDelta > 0);
            return ps.executeUpdate() == 1;
        }
    }

    private static void updateLease(Connection c, UUID id, long granted, long consumed, boolean released, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update leases set granted = ?, consumed = ?, released = ?, updated_at = ? where id = ?")) {
            ps.setLong(1, granted);
            ps.setLong(2, consumed);
            ps.setBoolean(3, released);
            ps.setTimestamp(4, Timestamp.from(now));
            ps.setObject(5, id);
            ps.executeUpdate();
        }
    }

    private static int bindKey(PreparedStatement ps, int first, LeaseSubject s, Instant start) throws SQLException {
        ps.setString(first, s.getEntityKind());
        ps.setString(first + 1, s.getEntityId());
        ps.setShort(first + 2, (short) s.getKindValue());
        ps.setTimestamp(first + 3, Timestamp.from(start));
        return first + 4;
    }

    /** Drops windows that ended over a day ago (their leases go with them), at most once a minute. */
    private void prune(Instant now) {
        long last = lastPruneMs.get();
        if (now.toEpochMilli() - last < 60_000 || !lastPruneMs.compareAndSet(last, now.toEpochMilli())) {
            return;
        }
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("delete from lease_windows where window_end < ?")) {
            ps.setTimestamp(1, Timestamp.from(now.minus(KEEP_ENDED_WINDOWS)));
            int n = ps.executeUpdate();
            if (n > 0) {
                LOG.log(System.Logger.Level.DEBUG, "pruned " + n + " ended lease window(s)");
            }
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "pruning ended lease windows failed: " + e.getMessage());
        }
    }
}
