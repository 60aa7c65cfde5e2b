package dev.tollgate.sidecar.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.proto.control.v1.Limits;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.Principal;
import dev.tollgate.proto.control.v1.VirtualKey;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a key's team, user, aliases and limits do to a request, with no control plane behind the sidecar. */
class KeyPolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"%s\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static PolicySnapshot snapshot(VirtualKey.Builder key, Principal... owners) {
        PolicySnapshot base = TestSidecar.snapshot(2,
                TestSidecar.deployment("chat", "mock", "chat-v1", "", "", Map.of()),
                TestSidecar.deployment("other", "mock", "other-v1", "", "", Map.of()));
        VirtualKey vk = base.getKeys(0).toBuilder().mergeFrom(key.build()).build();
        return base.toBuilder().setKeys(0, vk).addAllPrincipals(java.util.List.of(owners)).build();
    }

    @Test
    void keyAliasesMapTheRequestedNameToAnAlias() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(TestSidecar.deployment("chat", "mock", "chat-v1", "", "", Map.of()))) {
            sidecar.install(snapshot(VirtualKey.newBuilder().putAliases("gpt-4o", "chat")));
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("gpt-4o"));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("chat", r.headers().firstValue("x-tollgate-alias").orElse(""));
            assertEquals("chat", sidecar.usage.get(0).getAlias());
        }
    }

    @Test
    void theTeamsModelsNarrowTheKeyAndABlockedTeamBlocksIt() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(TestSidecar.deployment("chat", "mock", "chat-v1", "", "", Map.of()))) {
            Principal team = Principal.newBuilder().setKind("team").setId("t1").setDisplayName("payments")
                    .addModels("other").build();
            sidecar.install(snapshot(VirtualKey.newBuilder().setTeamId("t1"), team));
            assertEquals(403, sidecar.post("/v1/chat/completions", CHAT.formatted("chat")).statusCode());
            assertEquals(200, sidecar.post("/v1/chat/completions", CHAT.formatted("other")).statusCode());
            assertEquals("t1", sidecar.usage.get(sidecar.usage.size() - 1).getTeamId());

            sidecar.install(snapshot(VirtualKey.newBuilder().setTeamId("t1"), team.toBuilder().setBlocked(true).build())
                    .toBuilder().setVersion(3).build());
            HttpResponse<String> blocked = sidecar.post("/v1/chat/completions", CHAT.formatted("other"));
            assertEquals(401, blocked.statusCode());
            assertTrue(blocked.body().contains("payments"), blocked.body());
        }
    }

    @Test
    void aBudgetedKeyWithoutAControlPlaneIsRefusedWith429AndUnlimitedKeysAreServed() throws Exception {
        try (TestSidecar sidecar = new TestSidecar(TestSidecar.deployment("chat", "mock", "chat-v1", "", "", Map.of()))) {
            sidecar.install(snapshot(VirtualKey.newBuilder().setLimits(Limits.newBuilder().setMaxBudgetMicros(1_000_000)
                    .setBudgetDuration("1d"))));
            HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("chat"));
            assertEquals(429, r.statusCode(), r.body());
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertEquals("budget_exceeded", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("control plane"), error.toString());
            assertEquals("1", r.headers().firstValue("retry-after").orElse(""));
            assertTrue(sidecar.usage.isEmpty(), "a refused request reached no deployment and has no usage record");
        }
    }
}
