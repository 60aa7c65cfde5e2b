package dev.tollgate.controlplane.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JDBC shapes the entity tables share (one row by id, every row, delete by ids), so each
 * repository only says its SQL and how a row becomes a record.
 */
public final class Rows {

    /** Turns the current row into a record. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private Rows() {
    }

    /** The row {@code sql} selects for {@code id} (its only parameter), if any. */
    public static <T> Optional<T> one(Connection c, String sql, String id, Reader<T> reader) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(reader.read(rs)) : Optional.empty();
            }
        }
    }

    /** Every row {@code sql} (without parameters) selects, in its order. */
    public static <T> List<T> all(Connection c, String sql, Reader<T> reader) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(reader.read(rs));
            }
            return out;
        }
    }

    /** Deletes the rows of {@code table} (a constant name) with these text ids; returns the ids that existed. */
    public static List<String> deleteByIds(Connection c, String table, List<String> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("delete from " + table + " where id = any (?) returning id")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            List<String> deleted = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    deleted.add(rs.getString(1));
                }
            }
            return deleted;
        }
    }
}
