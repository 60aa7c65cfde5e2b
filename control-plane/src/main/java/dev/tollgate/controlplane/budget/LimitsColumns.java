package dev.tollgate.controlplane.budget;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Optional;

/**
 * The limit columns that {@code virtual_keys}, {@code teams} and {@code users} share, read and
 * bound in one order ({@link #COLUMNS}).
 */
public final class LimitsColumns {

    public static final String COLUMNS = "max_budget_micros, soft_budget_micros, budget_duration, budget_anchor,"
            + " rpm_limit, tpm_limit, max_parallel_requests";
    public static final int COUNT = 7;
    /** For an UPDATE: {@code max_budget_micros = ?, ...}. */
    public static final String ASSIGNMENTS = "max_budget_micros = ?, soft_budget_micros = ?, budget_duration = ?,"
            + " budget_anchor = ?, rpm_limit = ?, tpm_limit = ?, max_parallel_requests = ?";

    private LimitsColumns() {
    }

    /** Reads the {@link #COUNT} columns starting at {@code first}. */
    public static Limits read(ResultSet rs, int first) throws SQLException {
        String duration = rs.getString(first + 2);
        return new Limits(optionalLong(rs, first), optionalLong(rs, first + 1),
                duration == null ? Optional.empty() : Optional.of(BudgetDuration.parse(duration)),
                rs.getTimestamp(first + 3).toInstant(), optionalLong(rs, first + 4), optionalLong(rs, first + 5),
                optionalLong(rs, first + 6));
    }

    /** Binds the {@link #COUNT} parameters starting at {@code first}; returns the next index. */
    public static int bind(PreparedStatement ps, int first, Limits limits) throws SQLException {
        setLong(ps, first, limits.maxBudgetMicros());
        setLong(ps, first + 1, limits.softBudgetMicros());
        ps.setString(first + 2, limits.budgetDuration().map(BudgetDuration::text).orElse(null));
        ps.setTimestamp(first + 3, Timestamp.from(limits.budgetAnchor()));
        setLong(ps, first + 4, limits.rpmLimit());
        setLong(ps, first + 5, limits.tpmLimit());
        setLong(ps, first + 6, limits.maxParallelRequests());
        return first + COUNT;
    }

    private static Optional<Long> optionalLong(ResultSet rs, int index) throws SQLException {
        long value = rs.getLong(index);
        return rs.wasNull() ? Optional.empty() : Optional.of(value);
    }

    private static void setLong(PreparedStatement ps, int index, Optional<Long> value) throws SQLException {
        if (value.isPresent()) {
            ps.setLong(index, value.get());
        } else {
            ps.setNull(index, Types.BIGINT);
        }
    }
}
