package dev.tollgate.controlplane.credentials;

import dev.tollgate.controlplane.secrets.Sealed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@code credentials} and {@code credential_values} in PostgreSQL. Writes take the caller's
 * transaction (so the audit row commits with the change); reads take their own connection.
 * Values are sealed before they reach this class; it never sees one in clear. Thread-safe.
 */
public final class CredentialRepository {

    private final DataSource db;

    public CredentialRepository(DataSource db) {
        this.db = db;
    }

    /** Version 1 of a new credential. */
    public void insert(Connection c, StoredCredential credential) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into credentials (name, info, current_version,"
                + " created_at, updated_at) values (?, ?::jsonb, ?, ?, ?)")) {
            ps.setString(1, credential.name());
            ps.setString(2, credential.info());
            ps.setInt(3, credential.version());
            ps.setTimestamp(4, Timestamp.from(credential.createdAt()));
            ps.setTimestamp(5, Timestamp.from(credential.updatedAt()));
            ps.executeUpdate();
        }
        insertValues(c, credential);
    }

    /** Writes {@code next} as a new version and makes it current; older versions stay until {@link #dropVersionsBefore}. */
    public void addVersion(Connection c, StoredCredential next) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update credentials set info = ?::jsonb, current_version = ?,"
                + " updated_at = ? where name = ?")) {
            ps.setString(1, next.info());
            ps.setInt(2, next.version());
            ps.setTimestamp(3, Timestamp.from(next.updatedAt()));
            ps.setString(4, next.name());
            ps.executeUpdate();
        }
        insertValues(c, next);
    }

    private static void insertValues(Connection c, StoredCredential credential) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into credential_values (name, version, field, key_id,"
                + " nonce, ciphertext, hint) values (?, ?, ?, ?, ?, ?, ?)")) {
            for (Map.Entry<String, StoredCredential.Value> v : credential.values().entrySet()) {
                ps.setString(1, credential.name());
                ps.setInt(2, credential.version());
                ps.setString(3, v.getKey());
                ps.setString(4, v.getValue().sealed().keyId());
                ps.setBytes(5, v.getValue().sealed().nonce());
                ps.setBytes(6, v.getValue().sealed().ciphertext());
                ps.setString(7, v.getValue().hint());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Deletes the versions of {@code name} older than {@code version}; returns how many value rows went. */
    public int dropVersionsBefore(String name, int version) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("delete from credential_values where name = ? and version < ?")) {
            ps.setString(1, name);
            ps.setInt(2, version);
            return ps.executeUpdate();
        }
    }

    /** Deletes the credential and every version; returns whether it existed. */
    public boolean delete(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("delete from credentials where name = ?")) {
            ps.setString(1, name);
            return ps.executeUpdate() > 0;
        }
    }

    public Optional<StoredCredential> find(String name) throws SQLException {
        try (Connection c = db.getConnection()) {
            List<StoredCredential> found = query(c, "where c.name = ?", name, "");
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    /** Locks the credential's row for the rest of the caller's transaction. */
    public Optional<StoredCredential> findForUpdate(Connection c, String name) throws SQLException {
        List<StoredCredential> found = query(c, "where c.name = ?", name, " for update of c");
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Every credential with its current version, by name. */
    public List<StoredCredential> all() throws SQLException {
        try (Connection c = db.getConnection()) {
            return query(c, "", null, "");
        }
    }

    /** One stored value row of any version, for re-encryption. */
    public record ValueRow(String name, int version, String field, Sealed sealed) {
    }

    /** Every value row of every version, locked for the caller's transaction (KEK rotation). */
    public List<ValueRow> allValuesForUpdate(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select name, version, field, key_id, nonce, ciphertext"
                + " from credential_values order by name, version, field for update");
             ResultSet rs = ps.executeQuery()) {
            List<ValueRow> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new ValueRow(rs.getString(1), rs.getInt(2), rs.getString(3),
                        new Sealed(rs.getString(4), rs.getBytes(5), rs.getBytes(6))));
            }
            return out;
        }
    }

    public void reseal(Connection c, ValueRow row, Sealed sealed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update credential_values set key_id = ?, nonce = ?,"
                + " ciphertext = ? where name = ? and version = ? and field = ?")) {
            ps.setString(1, sealed.keyId());
            ps.setBytes(2, sealed.nonce());
            ps.setBytes(3, sealed.ciphertext());
            ps.setString(4, row.name());
            ps.setInt(5, row.version());
            ps.setString(6, row.field());
            ps.executeUpdate();
        }
    }

    private static List<StoredCredential> query(Connection c, String where, String arg, String lock)
            throws SQLException {
        Map<String, StoredCredential> heads = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select c.name, c.info::text, c.current_version, c.created_at,"
                + " c.updated_at from credentials c " + where + " order by c.name" + lock)) {
            if (arg != null) {
                ps.setString(1, arg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    heads.put(rs.getString(1), new StoredCredential(rs.getString(1), rs.getString(2), rs.getInt(3),
                            rs.getTimestamp(4).toInstant(), rs.getTimestamp(5).toInstant(), Map.of()));
                }
            }
        }
        if (heads.isEmpty()) {
            return List.of();
        }
        Map<String, Map<String, StoredCredential.Value>> values = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select v.name, v.field, v.key_id, v.nonce, v.ciphertext, v.hint"
                + " from credential_values v join credentials c on c.name = v.name and c.current_version = v.version "
                + where + " order by v.name, v.field")) {
            if (arg != null) {
                ps.setString(1, arg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.computeIfAbsent(rs.getString(1), n -> new LinkedHashMap<>()).put(rs.getString(2),
                            new StoredCredential.Value(new Sealed(rs.getString(3), rs.getBytes(4), rs.getBytes(5)),
                                    rs.getString(6)));
                }
            }
        }
        List<StoredCredential> out = new ArrayList<>();
        for (StoredCredential head : heads.values()) {
            out.add(new StoredCredential(head.name(), head.info(), head.version(), head.createdAt(), head.updatedAt(),
                    values.getOrDefault(head.name(), Map.of())));
        }
        return out;
    }
}
