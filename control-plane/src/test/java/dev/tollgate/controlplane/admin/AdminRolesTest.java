package dev.tollgate.controlplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.testing.AdminClient;
import dev.tollgate.controlplane.testing.TestClock;
import dev.tollgate.controlplane.testing.TestControlPlane;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Admin keys with roles through the real admin server on real PostgreSQL: a viewer reads, an admin
 * also changes, only the master key mints admin keys; refusals are 403 insufficient_role in the
 * OpenAI envelope, and the audit log names the admin key that acted.
 */
class AdminRolesTest {

    private TestControlPlane cp;

    @BeforeEach
    void setUp() throws Exception {
        cp = new TestControlPlane(new TestClock(Instant.parse("2026-11-24T10:00:00Z")));
    }

    @AfterEach
    void tearDown() {
        cp.close();
    }

    private String mint(String role) throws Exception {
        JsonNode created = cp.admin.post("/admin_key/new", "{\"role\":\"" + role + "\",\"key_alias\":\"grafana\"}").ok();
        assertEquals(role, created.path("role").asText());
        return created.path("key").asText();
    }

    @Test
    void aViewerReadsEverythingAndChangesNothing() throws Exception {
        AdminClient viewer = cp.adminAs(mint("viewer"));
        for (String path : new String[] {"/key/list", "/team/list", "/user/list", "/spend/logs", "/global/spend/report",
                "/audit/log", "/credentials", "/admin_key/list"}) {
            assertEquals(200, viewer.get(path).status(), path);
        }
        AdminClient.Reply refused = viewer.post("/key/generate", "{}");
        assertEquals(403, refused.status());
        JsonNode error = refused.body().path("error");
        assertEquals("insufficient_role", error.path("code").asText());
        assertEquals("permission_error", error.path("type").asText());
        assertTrue(error.path("message").asText().contains("role viewer"), error.toString());
        assertTrue(error.path("message").asText().contains("needs role admin"), error.toString());
        assertEquals(403, viewer.post("/team/new", "{}").status());
        assertEquals(403, viewer.post("/credentials", "{}").status());
        assertEquals(403, viewer.delete("/credentials/x").status());
        assertEquals(403, viewer.patch("/credentials/x", "{}").status());
        assertEquals(0, cp.admin.get("/key/list").ok().path("keys").size(), "the refused call changed nothing");
    }

    @Test
    void anAdminChangesButCannotMintAdminKeysOrRotateTheKek() throws Exception {
        String key = mint("admin");
        AdminClient admin = cp.adminAs(key);
        JsonNode virtualKey = admin.post("/key/generate", "{\"key_alias\":\"made-by-admin\"}").ok();
        assertEquals(200, admin.post("/team/new", "{\"team_id\":\"t1\"}").status());

        AdminClient.Reply mint = admin.post("/admin_key/new", "{\"role\":\"admin\"}");
        assertEquals(403, mint.status());
        assertTrue(mint.body().path("error").path("message").asText().contains("needs the master key"));
        assertEquals(403, admin.post("/secrets/rotate-kek", "{}").status());
        assertEquals(403, admin.post("/admin_key/delete", "{\"keys\":[\"" + key + "\"]}").status());

        JsonNode audit = cp.admin.get("/audit/log?target_type=key").ok();
        assertEquals("key.generate", audit.get(0).path("action").asText());
        assertEquals("admin_key:" + KeyHashing.sha256Hex(key), audit.get(0).path("actor").asText());
        assertEquals(virtualKey.path("token").asText(), audit.get(0).path("target_id").asText());
        JsonNode minted = cp.admin.get("/audit/log?target_type=admin_key").ok();
        assertEquals("master_key", minted.get(0).path("actor").asText());
        assertFalse(minted.toString().contains(key), "the admin key itself is never in the audit log");
    }

    @Test
    void adminKeysAreStoredHashedAndDeletedKeysStopWorking() throws Exception {
        String key = mint("viewer");
        assertTrue(key.startsWith("sk-admin-"));
        try (Connection c = cp.db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("select a::text from admin_keys a")) {
            assertTrue(rs.next());
            assertFalse(rs.getString(1).contains(key));
            assertTrue(rs.getString(1).contains(KeyHashing.sha256Hex(key)));
        }
        JsonNode listed = cp.admin.get("/admin_key/list").ok();
        assertEquals(1, listed.path("keys").size());
        assertFalse(listed.toString().contains(key));
        assertEquals(200, cp.admin.post("/admin_key/delete", "{\"keys\":[\"" + key + "\"]}").status());
        AdminClient.Reply gone = cp.adminAs(key).get("/key/list");
        assertEquals(401, gone.status());
        assertEquals("invalid_master_key", gone.body().path("error").path("code").asText());
    }

    @Test
    void anUnknownRoleIsRefusedNamingTheChoices() throws Exception {
        AdminClient.Reply refused = cp.admin.post("/admin_key/new", "{\"role\":\"owner\"}");
        assertEquals(400, refused.status());
        assertEquals("role", refused.body().path("error").path("param").asText());
        assertTrue(refused.body().path("error").path("message").asText().contains("admin or viewer"));
    }
}
