package dev.tollgate.controlplane.telemetry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.testing.TestClock;
import dev.tollgate.controlplane.testing.TestControlPlane;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** tollgate_budget_remaining_usd: what is left of each key's and team's max_budget in its current window. */
class BudgetMetricsTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void remainingBudgetsOfKeysAndTeamsAreScrapedWithoutKeyText() throws Exception {
        try (TestControlPlane cp = new TestControlPlane(new TestClock(NOW))) {
            String hourly = cp.admin.post("/key/generate", "{\"key_alias\":\"hourly\",\"max_budget\":10,"
                    + "\"budget_duration\":\"1h\"}").ok().path("key").asText();
            String unnamed = cp.admin.post("/key/generate", "{\"max_budget\":5}").ok().path("key").asText();
            cp.admin.post("/key/generate", "{\"key_alias\":\"unlimited\"}").ok();
            cp.admin.post("/team/new", "{\"team_id\":\"t-ops\",\"team_alias\":\"Ops\",\"max_budget\":20}").ok();
            String hourlyId = keyId("hourly", cp);
            spend(cp, "r1", hourlyId, "t-ops", 2_500_000, NOW.plusSeconds(1));
            spend(cp, "r2", hourlyId, "", 100_000_000, NOW.minusSeconds(7200)); // an earlier window

            String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + cp.plane.adminPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();

            assertTrue(text.contains("tollgate_budget_remaining_usd{entity=\"key\",id=\"" + hourlyId
                    + "\",alias=\"hourly\"} 7.5\n"), text);
            String unnamedHash = sha256(unnamed);
            assertTrue(text.contains(",alias=\"" + unnamedHash.substring(0, 8) + "\"} 5\n"),
                    "a key without alias is named by its hash's first 8 digits: " + text);
            assertTrue(text.contains("tollgate_budget_remaining_usd{entity=\"team\",id=\"t-ops\",alias=\"Ops\"} 17.5\n"),
                    text);
            assertFalse(text.contains("unlimited"), "keys without max_budget have no series: " + text);
            assertFalse(text.contains(hourly) || text.contains(unnamed), "never key text");
            assertFalse(text.contains(unnamedHash), "never a whole hash");
        }
    }

    private static String keyId(String alias, TestControlPlane cp) throws Exception {
        try (Connection c = cp.db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("select id::text from virtual_keys where key_alias = ?")) {
            ps.setString(1, alias);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static void spend(TestControlPlane cp, String id, String keyId, String teamId, long micros, Instant at)
            throws Exception {
        try (Connection c = cp.db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("insert into usage_records (id, key_id, team_id, alias,"
                     + " cost_micros, http_status, started_at) values (?, ?::uuid, nullif(?, ''), 'chat', ?, 200, ?)")) {
            ps.setString(1, id);
            ps.setString(2, keyId);
            ps.setString(3, teamId);
            ps.setLong(4, micros);
            ps.setTimestamp(5, Timestamp.from(at));
            ps.executeUpdate();
        }
    }

    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
