package dev.tollgate.controlplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.controlplane.testing.AdminClient;
import dev.tollgate.controlplane.testing.TestClock;
import dev.tollgate.controlplane.testing.TestControlPlane;
import dev.tollgate.controlplane.usage.UsageRepository;
import dev.tollgate.proto.control.v1.UsageRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpendRoutesTest {

    private static final Instant DAY1 = Instant.parse("2026-04-01T10:00:00Z");
    private static final Instant DAY2 = Instant.parse("2026-04-02T10:00:00Z");

    private TestControlPlane cp;
    private AdminClient admin;
    private String keyA;
    private String keyB;

    @BeforeAll
    void seed() throws Exception {
        cp = new TestControlPlane(new TestClock(DAY2.plusSeconds(3600)));
        admin = cp.admin;
        admin.post("/team/new", "{\"team_id\":\"payments\"}").ok();
        admin.post("/user/new", "{\"user_id\":\"ana\",\"auto_create_key\":false}").ok();
        JsonNode a = admin.post("/key/generate", "{\"key_alias\":\"checkout\",\"team_id\":\"payments\",\"user_id\":\"ana\"}").ok();
        JsonNode b = admin.post("/key/generate", "{\"key_alias\":\"batch\"}").ok();
        keyA = a.path("key").asText();
        keyB = b.path("key").asText();
        String idA = cp.plane.publisher().current().getKeysList().stream()
                .filter(k -> k.getKeyHash().equals(a.path("token").asText())).findFirst().orElseThrow().getKeyId();
        String idB = cp.plane.publisher().current().getKeysList().stream()
                .filter(k -> k.getKeyHash().equals(b.path("token").asText())).findFirst().orElseThrow().getKeyId();
        List<UsageRecord> records = new ArrayList<>();
        // key A (team payments, user ana): 3 calls on chat (openai) day 1, 2 on embed (mock) day 2, 1000 micro-dollars each.
        for (int i = 0; i < 5; i++) {
            records.add(record("a" + i, idA, "payments", "ana", i < 3 ? "chat" : "embed", i < 3 ? "openai" : "mock",
                    i < 3 ? DAY1 : DAY2, 1_000));
        }
        // key B (no team): 4 calls on chat day 2, 250 each.
        for (int i = 0; i < 4; i++) {
            records.add(record("b" + i, idB, "", "", "chat", "openai", DAY2.plusSeconds(i), 250));
        }
        UsageRepository usage = new UsageRepository(cp.db.dataSource());
        usage.store(records);
        usage.store(records.subList(0, 3));
    }

    private static UsageRecord record(String id, String keyId, String team, String user, String alias, String provider,
                                      Instant at, long cost) {
        return UsageRecord.newBuilder().setId(id).setKeyId(keyId).setTeamId(team).setUserId(user).setAlias(alias)
                .setProvider(provider).setModel(alias + "-v1").setPromptTokens(10).setCompletionTokens(5)
                .setCostMicros(cost).setHttpStatus(200).setStartedAtMs(at.toEpochMilli()).build();
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    @Test
    void logsFilterByKeyTeamUserAliasAndDateAndPaginate() throws Exception {
        assertEquals(9, admin.get("/spend/logs").ok().size(), "re-sent records are stored once");
        assertEquals(5, admin.get("/spend/logs?api_key=" + keyA).ok().size());
        assertEquals(5, admin.get("/spend/logs?team_id=payments").ok().size());
        assertEquals(5, admin.get("/spend/logs?user_id=ana").ok().size());
        assertEquals(4, admin.get("/spend/logs?key_alias=batch").ok().size());
        assertEquals(7, admin.get("/spend/logs?model=chat").ok().size());
        assertEquals(3, admin.get("/spend/logs?start_date=2026-04-01&end_date=2026-04-01").ok().size());
        assertEquals(6, admin.get("/spend/logs?start_date=2026-04-02").ok().size());
        assertEquals(1, admin.get("/spend/logs?request_id=b2").ok().size());
        JsonNode page1 = admin.get("/spend/logs?limit=4&offset=0").ok();
        JsonNode page3 = admin.get("/spend/logs?page=3&page_size=4").ok();
        assertEquals(4, page1.size());
        assertEquals(1, page3.size());
        JsonNode row = admin.get("/spend/logs?request_id=a0").ok().get(0);
        assertEquals("checkout", row.path("key_alias").asText());
        assertEquals("payments", row.path("team_id").asText());
        assertEquals(0, row.path("spend").decimalValue().compareTo(new java.math.BigDecimal("0.001")));
        assertEquals(400, admin.get("/spend/logs?start_date=yesterday").status());
    }

    @Test
    void reportGroupsSpendByEachDimension() throws Exception {
        JsonNode byKey = admin.get("/global/spend/report?group_by=key_alias").ok();
        assertEquals(0, byKey.path("total_spend").decimalValue().compareTo(new java.math.BigDecimal("0.006")));
        assertEquals(9, byKey.path("total_requests").asLong());
        assertEquals("checkout", byKey.path("rows").get(0).path("key_alias").asText(), "biggest spender first");
        assertEquals(0, byKey.path("rows").get(0).path("spend").decimalValue().compareTo(new java.math.BigDecimal("0.005")));

        JsonNode byDay = admin.get("/global/spend/report?group_by=day").ok().path("rows");
        assertEquals("2026-04-01", byDay.get(0).path("day").asText());
        assertEquals(3, byDay.get(0).path("requests").asLong());

        JsonNode byProvider = admin.get("/global/spend/report?group_by=provider&team_id=payments").ok().path("rows");
        assertEquals(2, byProvider.size());
        JsonNode byTeam = admin.get("/global/spend/report?group_by=team").ok().path("rows");
        assertTrue(byTeam.toString().contains("payments"));
        assertEquals(2, admin.get("/global/spend/report?group_by=alias").ok().path("rows").size());
        assertEquals(2, admin.get("/global/spend/report?group_by=user").ok().path("rows").size());
        assertEquals(2, admin.get("/global/spend/report?group_by=key&start_date=2026-04-02").ok().path("rows").size());
        assertEquals(400, admin.get("/global/spend/report?group_by=planet").status());
    }

    @Test
    void infoShowsTheWindowSpendOfKeysTeamsAndUsers() throws Exception {
        assertEquals(0, admin.get("/key/info?key=" + keyB).ok().path("info").path("spend").decimalValue()
                .compareTo(new java.math.BigDecimal("0.001")));
        assertEquals(0, admin.get("/team/info?team_id=payments").ok().path("team_info").path("spend").decimalValue()
                .compareTo(new java.math.BigDecimal("0.005")));
        assertEquals(0, admin.get("/user/info?user_id=ana").ok().path("user_info").path("spend").decimalValue()
                .compareTo(new java.math.BigDecimal("0.005")));
    }
}
