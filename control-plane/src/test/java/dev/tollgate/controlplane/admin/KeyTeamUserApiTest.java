package dev.tollgate.controlplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.controlplane.testing.AdminClient;
import dev.tollgate.controlplane.testing.TestClock;
import dev.tollgate.controlplane.testing.TestControlPlane;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.Principal;
import dev.tollgate.proto.control.v1.VirtualKey;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyTeamUserApiTest {

    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    private TestControlPlane cp;
    private AdminClient admin;

    @BeforeAll
    void start() throws Exception {
        cp = new TestControlPlane(clock);
        admin = cp.admin;
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    @Test
    void keyWithLimitsIsPublishedWithTeamAndUserLimitsAndAudited() throws Exception {
        admin.post("/team/new", "{\"team_id\":\"t-pub\",\"team_alias\":\"Payments\",\"models\":[\"chat\"],"
                + "\"max_budget\":5,\"budget_duration\":\"1d\",\"rpm_limit\":100}").ok();
        admin.post("/user/new", "{\"user_id\":\"u-pub\",\"user_email\":\"a@example.com\",\"max_budget\":2.5,"
                + "\"tpm_limit\":1000,\"auto_create_key\":false}").ok();
        JsonNode created = admin.post("/key/generate", "{\"key_alias\":\"pub\",\"team_id\":\"t-pub\",\"user_id\":\"u-pub\","
                + "\"max_budget\":0.25,\"budget_duration\":\"1h\",\"soft_budget\":0.2,\"rpm_limit\":10,\"tpm_limit\":500,"
                + "\"max_parallel_requests\":3,\"model_max_budget\":{\"chat\":{\"budget_limit\":0.1,\"time_period\":\"1d\"}},"
                + "\"aliases\":{\"gpt-4o\":\"chat\"}}").ok();
        String key = created.path("key").asText();
        assertTrue(key.startsWith("sk-"));
        assertEquals("0.25", usd(created.path("max_budget")));
        assertEquals(Instant.parse(created.path("created_at").asText()).plus(Duration.ofHours(1)),
                Instant.parse(created.path("budget_reset_at").asText()));

        PolicySnapshot snapshot = cp.plane.publisher().current();
        VirtualKey vk = snapshot.getKeysList().stream().filter(k -> k.getKeyAlias().equals("pub")).findFirst().orElseThrow();
        assertEquals("t-pub", vk.getTeamId());
        assertEquals("u-pub", vk.getUserId());
        assertEquals(250_000, vk.getLimits().getMaxBudgetMicros());
        assertEquals("1h", vk.getLimits().getBudgetDuration());
        assertEquals(10, vk.getLimits().getRpmLimit());
        assertEquals(100_000, vk.getModelMaxBudgetOrThrow("chat").getMaxBudgetMicros());
        assertEquals("chat", vk.getAliasesOrThrow("gpt-4o"));
        Principal team = snapshot.getPrincipalsList().stream().filter(p -> p.getId().equals("t-pub")).findFirst().orElseThrow();
        assertEquals("team", team.getKind());
        assertEquals(5_000_000, team.getLimits().getMaxBudgetMicros());
        assertFalse(vk.getLimits().hasTpmLimit() && vk.getLimits().getTpmLimit() != 500);

        JsonNode audit = admin.get("/audit/log?target_type=key&target_id=" + key).ok();
        assertEquals("key.generate", audit.get(0).path("action").asText());
        assertEquals("master_key", audit.get(0).path("actor").asText());
        assertFalse(audit.toString().contains(key), "the audit log holds the key in clear");
    }

    @Test
    void updateBlockUnblockAndRegenerateChangeWhatSidecarsSee() throws Exception {
        JsonNode created = admin.post("/key/generate", "{\"key_alias\":\"life\"}").ok();
        String key = created.path("key").asText();
        String hash = created.path("token").asText();
        admin.post("/key/update", "{\"key\":\"" + key + "\",\"max_budget\":\"1.5\",\"rpm_limit\":7}").ok();
        VirtualKey vk = find(hash);
        assertEquals(1_500_000, vk.getLimits().getMaxBudgetMicros());
        assertEquals(7, vk.getLimits().getRpmLimit());

        admin.post("/key/update", "{\"key\":\"" + key + "\",\"max_budget\":null}").ok();
        assertFalse(find(hash).getLimits().hasMaxBudgetMicros());

        admin.post("/key/block", "{\"key\":\"" + key + "\"}").ok();
        assertTrue(find(hash).getBlocked());
        admin.post("/key/unblock", "{\"key\":\"" + hash + "\"}").ok();
        assertFalse(find(hash).getBlocked());

        JsonNode regenerated = admin.post("/key/regenerate", "{\"key\":\"" + key + "\"}").ok();
        String newKey = regenerated.path("key").asText();
        assertNotEquals(key, newKey);
        assertEquals(404, admin.get("/key/info?key=" + key).status());
        assertEquals("life", admin.get("/key/info?key=" + newKey).ok().path("info").path("key_alias").asText());
        assertTrue(cp.plane.publisher().current().getKeysList().stream().noneMatch(k -> k.getKeyHash().equals(hash)));

        JsonNode audit = admin.get("/audit/log?target_type=key&target_id=" + hash).ok();
        assertEquals("key.regenerate", audit.get(0).path("action").asText());
        assertEquals(6, audit.size(), audit.toString());
    }

    @Test
    void budgetWindowOfKeyInfoMovesWithTheClock() throws Exception {
        JsonNode created = admin.post("/key/generate", "{\"key_alias\":\"window\",\"max_budget\":1,"
                + "\"budget_duration\":\"30s\"}").ok();
        String key = created.path("key").asText();
        JsonNode info = admin.get("/key/info?key=" + key).ok().path("info");
        assertEquals("0", usd(info.path("spend")));
        assertEquals("1", usd(info.path("remaining_budget")));
        Instant reset = Instant.parse(info.path("budget_reset_at").asText());
        clock.advance(Duration.ofSeconds(45));
        Instant next = Instant.parse(admin.get("/key/info?key=" + key).ok().path("info").path("budget_reset_at").asText());
        assertEquals(reset.plusSeconds(30), next);
    }

    @Test
    void refusalsNameTheFieldAndWhatWasExpected() throws Exception {
        AdminClient.Reply negative = admin.post("/key/generate", "{\"max_budget\":-1}");
        assertEquals(400, negative.status());
        assertEquals("max_budget", negative.body().path("error").path("param").asText());
        assertTrue(negative.body().path("error").path("message").asText().contains(">= 0"));
        AdminClient.Reply tooFine = admin.post("/key/generate", "{\"max_budget\":0.0000001}");
        assertEquals(400, tooFine.status());
        assertTrue(tooFine.body().toString().contains("6 decimal places"));
        AdminClient.Reply badDuration = admin.post("/key/generate", "{\"budget_duration\":\"1w\"}");
        assertEquals(400, badDuration.status());
        assertEquals("budget_duration", badDuration.body().path("error").path("param").asText());
        AdminClient.Reply noTeam = admin.post("/key/generate", "{\"team_id\":\"nope\"}");
        assertEquals(400, noTeam.status());
        assertTrue(noTeam.body().toString().contains("/team/new"));
        admin.post("/team/new", "{\"team_id\":\"narrow\",\"models\":[\"chat\"]}").ok();
        AdminClient.Reply outside = admin.post("/key/generate", "{\"team_id\":\"narrow\",\"models\":[\"other\"]}");
        assertEquals(400, outside.status());
        assertEquals(409, admin.post("/team/new", "{\"team_id\":\"narrow\"}").status());
    }

    @Test
    void deletingATeamDeletesItsKeysAndUserInfoListsKeys() throws Exception {
        admin.post("/team/new", "{\"team_id\":\"doomed\"}").ok();
        String key = admin.post("/key/generate", "{\"team_id\":\"doomed\"}").ok().path("key").asText();
        assertEquals(1, admin.get("/team/info?team_id=doomed").ok().path("keys").size());
        JsonNode deleted = admin.post("/team/delete", "{\"team_ids\":[\"doomed\"]}").ok();
        assertEquals(1, deleted.path("deleted_keys").asInt());
        assertEquals(404, admin.get("/key/info?key=" + key).status());

        JsonNode user = admin.post("/user/new", "{\"user_id\":\"with-key\",\"max_budget\":3}").ok();
        assertTrue(user.path("key").asText().startsWith("sk-"));
        JsonNode info = admin.get("/user/info?user_id=with-key").ok();
        assertEquals(1, info.path("keys").size());
        assertEquals("3", usd(info.path("user_info").path("max_budget")));
    }

    static String usd(JsonNode amount) {
        return amount.decimalValue().stripTrailingZeros().toPlainString();
    }

    private VirtualKey find(String hash) {
        return cp.plane.publisher().current().getKeysList().stream().filter(k -> k.getKeyHash().equals(hash))
                .findFirst().orElseThrow();
    }
}
