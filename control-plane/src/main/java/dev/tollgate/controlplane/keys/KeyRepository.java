package dev.tollgate.controlplane.keys;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** Virtual keys in PostgreSQL. Thread-safe: each call takes its own connection. */
public final class KeyRepository {

    private static final String COLUMNS =
            "id, key_hash, key_hint, key_alias, models, metadata::text, blocked, expires_at, created_at";

    private final DataSource db;

    public KeyRepository(DataSource db) {
        this.db = db;
    }

    public void insert(KeyRecord key) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "insert into virtual_keys (id, key_hash, key_hint, key_alias, models, metadata, blocked, expires_at, created_at)"
                             + " values (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)")) {
            ps.setObject(1, key.id());
            ps.setString(2, key.keyHash());
            ps.setString(3, key.keyHint());
            ps.setString(4, key.keyAlias().orElse(null));
            ps.setArray(5, c.createArrayOf("text", key.models().toArray()));
            ps.setString(6, key.metadata());
            ps.setBoolean(7, key.blocked());
            ps.setTimestamp(8, key.expiresAt().map(Timestamp::from).orElse(null));
            ps.setTimestamp(9, Timestamp.from(key.createdAt()));
            ps.executeUpdate();
        }
    }

    public Optional<KeyRecord> findByHash(String keyHash) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from virtual_keys where key_hash = ?")) {
            ps.setString(1, keyHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public List<KeyRecord> all() throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from virtual_keys order by created_at, id");
             ResultSet rs = ps.executeQuery()) {
            List<KeyRecord> keys = new ArrayList<>();
            while (rs.next()) {
                keys.add(read(rs));
            }
            return keys;
        }
    }

    /** Deletes the keys with these hashes; returns the hashes that existed. */
    public List<String> deleteByHash(Collection<String> hashes) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("delete from virtual_keys where key_hash = any (?) returning key_hash")) {
            ps.setArray(1, c.createArrayOf("text", hashes.toArray()));
            List<String> deleted = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    deleted.add(rs.getString(1));
                }
            }
            return deleted;
        }
    }

    private static KeyRecord read(ResultSet rs) throws SQLException {
        Array models = rs.getArray(5);
        Timestamp expires = rs.getTimestamp(8);
        return new KeyRecord(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                Optional.ofNullable(rs.getString(4)),
                models == null ? List.of() : Arrays.asList((String[]) models.getArray()),
                rs.getString(6),
                rs.getBoolean(7),
                Optional.ofNullable(expires).map(Timestamp::toInstant),
                rs.getTimestamp(9).toInstant());
    }
}
