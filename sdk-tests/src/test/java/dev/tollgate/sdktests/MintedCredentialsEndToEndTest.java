package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A control plane mints Entra ID tokens for an Azure deployment and a real sidecar calls Azure with
 * them: the provider sees the minted bearer token, a refreshed one after the first nears expiry, and
 * never the client secret, which stays out of both processes' logs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MintedCredentialsEndToEndTest {

    /** Short enough that a refresh (at half of it, the floor for tokens under 10 minutes) happens in the test. */
    private static final long TOKEN_SECONDS = 6;
    private static final String WRONG_SECRET = "wrongEntraSecret-CANARY~e2e-9876543210";
    private FakeEntraAndAzure azure;
    private Stack stack;

    @BeforeAll
    void start() throws Exception {
        azure = new FakeEntraAndAzure(TOKEN_SECONDS);
        String config = """
                model_list:
                  - model_name: azure-minted
                    litellm_params:
                      model: azure/gpt-4o-deployment
                      api_base: %1$s
                      api_version: "2024-10-21"
                      tenant_id: %2$s
                      client_id: %3$s
                      client_secret: os.environ/E2E_AZURE_CLIENT_SECRET
                      azure_authority_host: %1$s
                      input_cost_per_token: 0.000001
                      output_cost_per_token: 0.000002
                  - model_name: azure-wrong-secret
                    litellm_params:
                      model: azure/gpt-4o-deployment
                      api_base: %1$s
                      api_version: "2024-10-21"
                      tenant_id: %2$s
                      client_id: %3$s
                      client_secret: os.environ/E2E_AZURE_WRONG_SECRET
                      azure_authority_host: %1$s
                      input_cost_per_token: 0.000001
                      output_cost_per_token: 0.000002
                general_settings:
                  master_key: os.environ/TOLLGATE_MASTER_KEY
                """.formatted(azure.url(), FakeEntraAndAzure.TENANT, FakeEntraAndAzure.CLIENT_ID);
        stack = new Stack("minted", Files.createTempDirectory("tollgate-e2e-minted"), config,
                Map.of("E2E_AZURE_CLIENT_SECRET", FakeEntraAndAzure.CLIENT_SECRET, "E2E_AZURE_WRONG_SECRET", WRONG_SECRET));
        stack.startControlPlane();
        stack.startSidecar();
        stack.awaitSidecarReady();
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (azure != null) {
            azure.close();
        }
    }

    @Test
    void azureSeesTheMintedTokenThenTheRefreshedOneAndNeverTheClientSecret() throws Exception {
        String key = stack.newKey("{}");
        HttpResponse<String> first = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("azure-minted", "hi"));
        assertEquals(200, first.statusCode(), first.body());
        assertTrue(first.body().contains("hello from azure"), first.body());
        assertTrue(azure.bearersSeen().getFirst().startsWith("eyJ0eXAiOiJKV1QiE2eEntraToken."));

        // The control plane refreshes on its own clock; calls keep working and switch to a newer token.
        String firstToken = azure.bearersSeen().getFirst();
        boolean refreshed = Http.await(Duration.ofSeconds(30), () -> {
            int status = Stack.status(() -> Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                    stack.chat("azure-minted", "again")));
            return status == 200 && !azure.bearersSeen().getLast().equals(firstToken);
        });
        assertTrue(refreshed, "Azure saw a refreshed token within 30 s: " + azure.bearersSeen());

        // A deployment whose mint Entra refuses fails its calls clearly, naming Entra's error, never the secret.
        HttpResponse<String> refused = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("azure-wrong-secret", "hi"));
        assertEquals(500, refused.statusCode(), refused.body());
        String error = Http.json(refused).path("error").path("message").asText();
        assertEquals("missing_credential", Http.json(refused).path("error").path("code").asText(), refused.body());
        assertTrue(error.contains("invalid_client") && error.contains("client_secret"), error);
        assertFalse(refused.body().contains(WRONG_SECRET));
        String health = Http.get(stack.admin() + "/health", Stack.MASTER_KEY).body();
        assertTrue(health.contains("minted credential") && health.contains("invalid_client"), health);
        assertFalse(health.contains(WRONG_SECRET) || health.contains(FakeEntraAndAzure.CLIENT_SECRET));

        stack.controlPlane.stop();
        stack.sidecar.stop();
        for (var log : new java.nio.file.Path[]{stack.controlPlane.log(), stack.sidecar.log()}) {
            String text = Files.readString(log);
            assertFalse(text.contains(FakeEntraAndAzure.CLIENT_SECRET) || text.contains(WRONG_SECRET),
                    log + " holds a client secret");
            for (String token : azure.bearersSeen()) {
                assertFalse(text.contains(token), log + " holds a minted token");
            }
        }
        assertTrue(Files.readString(stack.controlPlane.log()).contains("minted a short-lived credential (Entra ID client credentials)"),
                "the control plane logs each mint (without the token)");
    }
}
