package dev.tollgate.controlplane.sidecars;

import dev.tollgate.controlplane.store.Rows;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/** The {@code sidecar_tokens} table. Thread-safe (each call takes its own connection). */
public final class SidecarTokenRepository {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS = "id, sidecar_name, token_hash, team_ids, created_at";

    private final DataSource db;

    public SidecarTokenRepository(DataSource db) {
        this.db = db;
    }

    /** A new token text: {@code tgs-} and 32 characters of URL-safe base64 (192 random bits). */
    public static String newToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return "tgs-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public void insert(Connection c, SidecarToken token) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into sidecar_tokens (" + COLUMNS
                + ") values (?, ?, ?, ?, ?)")) {
            ps.setObject(1, token.id());
            ps.setString(2, token.sidecarName());
            ps.setString(3, token.tokenHash());
            ps.setArray(4, c.createArrayOf("text", token.scope().teams().stream().sorted().toArray()));
            ps.setTimestamp(5, Timestamp.from(token.createdAt()));
            ps.executeUpdate();
        }
    }

    public List<SidecarToken> all() throws SQLException {
        try (Connection c = db.getConnection()) {
            return Rows.all(c, "select " + COLUMNS + " from sidecar_tokens order by sidecar_name, created_at",
                    SidecarTokenRepository::read);
        }
    }

    public Optional<SidecarToken> findByHash(String hash) throws SQLException {
        try (Connection c = db.getConnection()) {
            return Rows.one(c, "select " + COLUMNS + " from sidecar_tokens where token_hash = ?", hash,
                    SidecarTokenRepository::read);
        }
    }

    public boolean any() throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select exists (select 1 from sidecar_tokens)");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** Ids of every stored token: a connected sidecar whose token id is not among them was revoked. */
    public Set<UUID> ids() throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select id from sidecar_tokens");
             ResultSet rs = ps.executeQuery()) {
            Set<UUID> out = new HashSet<>();
            while (rs.next()) {
                out.add(rs.getObject(1, UUID.class));
            }
            return out;
        }
    }

    /** Deletes these tokens; returns the ones that existed. */
    public List<SidecarToken> delete(Connection c, List<UUID> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("delete from sidecar_tokens where id = any (?) returning "
                + COLUMNS)) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            List<SidecarToken> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    private static SidecarToken read(ResultSet rs) throws SQLException {
        Array teams = rs.getArray("team_ids");
        return new SidecarToken(rs.getObject("id", UUID.class), rs.getString("sidecar_name"), rs.getString("token_hash"),
                new SidecarScope(Set.of((String[]) teams.getArray())), rs.getTimestamp("created_at").toInstant());
    }
}
