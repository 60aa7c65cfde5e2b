package dev.tollgate.controlplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.secrets.KeyRing;
import dev.tollgate.controlplane.testing.AdminClient;
import dev.tollgate.controlplane.testing.TestClock;
import dev.tollgate.controlplane.testing.TestControlPlane;
import dev.tollgate.controlplane.testing.TestDatabase;
import dev.tollgate.proto.control.v1.Alias;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /model/new|info|delete}: deployments added at runtime that take their key from a stored credential. */
class ModelRoutesTest {

    private static final String SECRET = "sk-proj-CANARY-model-route-9z8y";
    private TestControlPlane cp;

    @BeforeEach
    void setUp() throws Exception {
        cp = new TestControlPlane(new TestClock(Instant.parse("2026-11-24T10:00:00Z")), TestDatabase.fresh(),
                TestControlPlane.Ownership.OWNS_DATABASE, TestControlPlane.config(List.of(new ModelDeployment("chat",
                        "mock", "chat-v1", "", CredentialRef.NONE, Map.of())), List.of()),
                Map.of(KeyRing.CURRENT_VARIABLE, CredentialsApiTest.KEK_1));
        cp.admin.post("/credentials", "{\"credential_name\":\"openai-prod\",\"credential_values\":{\"api_key\":\""
                + SECRET + "\",\"api_base\":\"https://llm.internal.example/v1\"}}").ok();
    }

    @AfterEach
    void tearDown() {
        cp.close();
    }

    private Optional<Alias> pushed(String alias) {
        return cp.plane.publisher().current().getAliasesList().stream().filter(a -> a.getName().equals(alias))
                .findFirst();
    }

    @Test
    void aDeploymentAddedAtRuntimeUsesItsNamedCredentialAndCanBeDeleted() throws Exception {
        JsonNode created = cp.admin.post("/model/new", "{\"model_name\":\"gpt\",\"litellm_params\":{\"model\":"
                + "\"openai/gpt-4o-mini\",\"litellm_credential_name\":\"openai-prod\"}}").ok();
        String id = created.path("model_info").path("id").asText();
        assertTrue(id.startsWith("gpt#api-"), id);
        assertEquals(SECRET, pushed("gpt").orElseThrow().getDeployments(0).getApiKey());
        assertEquals("https://llm.internal.example/v1", pushed("gpt").orElseThrow().getDeployments(0).getApiBase());

        JsonNode info = cp.admin.get("/model/info").ok();
        assertEquals(2, info.path("data").size());
        assertFalse(info.toString().contains(SECRET), info.toString());
        assertTrue(info.toString().contains("openai-prod"));

        AdminClient.Reply configOne = cp.admin.post("/model/delete", "{\"id\":\"chat#0\"}");
        assertEquals(409, configOne.status());
        assertEquals("deployment_in_config", configOne.body().path("error").path("code").asText());
        AdminClient.Reply inUse = cp.admin.delete("/credentials/openai-prod");
        assertEquals(409, inUse.status());

        cp.admin.post("/model/delete", "{\"id\":\"" + id + "\"}").ok();
        assertTrue(pushed("gpt").isEmpty());
        assertEquals(404, cp.admin.post("/model/delete", "{\"id\":\"" + id + "\"}").status());
        assertEquals(200, cp.admin.delete("/credentials/openai-prod").status());
    }

    @Test
    void aKeyOrAMissingCredentialIsRefusedNamingWhatToDo() throws Exception {
        AdminClient.Reply withKey = cp.admin.post("/model/new", "{\"model_name\":\"gpt\",\"litellm_params\":{\"model\":"
                + "\"openai/gpt-4o-mini\",\"api_key\":\"" + SECRET + "\"}}");
        assertEquals(400, withKey.status());
        assertTrue(withKey.body().path("error").path("message").asText().contains("POST /credentials"));
        assertFalse(withKey.body().toString().contains(SECRET));
        AdminClient.Reply missing = cp.admin.post("/model/new", "{\"model_name\":\"gpt\",\"litellm_params\":{\"model\":"
                + "\"openai/gpt-4o-mini\",\"litellm_credential_name\":\"nope\"}}");
        assertEquals(400, missing.status());
        assertTrue(missing.body().path("error").path("message").asText().contains("no credential nope"));
        AdminClient.Reply badModel = cp.admin.post("/model/new", "{\"model_name\":\"gpt\",\"litellm_params\":{\"model\":"
                + "\"gpt-4o-mini\"}}");
        assertEquals(400, badModel.status());
        assertTrue(badModel.body().path("error").path("message").asText().contains("<provider>/<model>"));
        assertTrue(pushed("gpt").isEmpty());
    }

    @Test
    void aViewerMayListModelsButNotAddThem() throws Exception {
        String viewer = cp.admin.post("/admin_key/new", "{\"role\":\"viewer\"}").ok().path("key").asText();
        assertEquals(200, cp.adminAs(viewer).get("/model/info").status());
        assertEquals(403, cp.adminAs(viewer).post("/model/new", "{}").status());
    }
}
