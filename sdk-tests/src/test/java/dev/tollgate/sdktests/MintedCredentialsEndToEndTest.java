package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A control plane mints Entra ID tokens for an Azure deployment, STS session credentials for a
 * Bedrock one and a Google access token for a Vertex one, and a real sidecar calls the providers with
 * them: Azure sees the minted bearer token, then a refreshed one after the first nears expiry; Bedrock
 * sees calls SigV4-signed with the session credentials; Vertex sees the token minted from the service
 * account's signed JWT. The client secret, the control plane's AWS secret and the private key stay out
 * of both processes' logs, and so do the minted tokens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MintedCredentialsEndToEndTest {

    /** Short enough that a refresh (at half of it, the floor for tokens under 10 minutes) happens in the test. */
    private static final long TOKEN_SECONDS = 6;
    private static final String WRONG_SECRET = "wrongEntraSecret-CANARY~e2e-9876543210";
    private FakeEntraAndAzure azure;
    private FakeStsAndBedrock aws;
    private FakeGoogleAndVertex google;
    private String privateKeyLine;
    private Stack stack;

    @BeforeAll
    void start() throws Exception {
        azure = new FakeEntraAndAzure(TOKEN_SECONDS);
        aws = new FakeStsAndBedrock(3600);
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.KeyPair account = generator.generateKeyPair();
        google = new FakeGoogleAndVertex(account.getPublic());
        String pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, new byte[]{'\n'})
                .encodeToString(account.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        privateKeyLine = pem.lines().skip(3).findFirst().orElseThrow();
        String serviceAccount = Http.JSON.writeValueAsString(Map.of("type", "service_account",
                "client_email", FakeGoogleAndVertex.SERVICE_ACCOUNT, "private_key", pem,
                "token_uri", google.url() + "/token"));
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
                  - model_name: bedrock-minted
                    litellm_params:
                      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
                      api_base: %4$s
                      aws_region_name: us-east-1
                      aws_role_name: arn:aws:iam::123456789012:role/bedrock-invoke
                      aws_sts_endpoint: %4$s
                      aws_access_key_id: os.environ/E2E_AWS_ACCESS_KEY_ID
                      aws_secret_access_key: os.environ/E2E_AWS_SECRET_ACCESS_KEY
                      input_cost_per_token: 0.000001
                      output_cost_per_token: 0.000002
                  - model_name: vertex-minted
                    litellm_params:
                      model: vertex_ai/gemini-2.0-flash
                      api_base: %5$s
                      vertex_project: example-project
                      vertex_location: us-central1
                      vertex_credentials: os.environ/E2E_VERTEX_SERVICE_ACCOUNT
                      input_cost_per_token: 0.000001
                      output_cost_per_token: 0.000002
                general_settings:
                  master_key: os.environ/TOLLGATE_MASTER_KEY
                """.formatted(azure.url(), FakeEntraAndAzure.TENANT, FakeEntraAndAzure.CLIENT_ID, aws.url(),
                google.url());
        stack = new Stack("minted", Files.createTempDirectory("tollgate-e2e-minted"), config,
                Map.of("E2E_AZURE_CLIENT_SECRET", FakeEntraAndAzure.CLIENT_SECRET, "E2E_AZURE_WRONG_SECRET", WRONG_SECRET,
                        "E2E_AWS_ACCESS_KEY_ID", FakeStsAndBedrock.CALLER_KEY_ID,
                        "E2E_AWS_SECRET_ACCESS_KEY", FakeStsAndBedrock.CALLER_SECRET,
                        "E2E_VERTEX_SERVICE_ACCOUNT", serviceAccount));
        stack.startControlPlane();
        stack.startSidecar();
        stack.awaitSidecarReady();
        key = stack.newKey("{}");
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (azure != null) {
            azure.close();
        }
        if (aws != null) {
            aws.close();
        }
        if (google != null) {
            google.close();
        }
    }

    private String key;

    @Test
    @Order(1)
    void azureSeesTheMintedTokenThenTheRefreshedOne() throws Exception {
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
    }

    @Test
    @Order(2)
    void bedrockSeesCallsSignedWithTheAssumedRolesSessionCredentials() throws Exception {
        HttpResponse<String> answer = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("bedrock-minted", "hi"));
        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("hello from bedrock"), answer.body());
        assertEquals(List.of("ASIAE2ESESSION000001"), aws.bedrockCallers(),
                "signed with the session key STS issued, not the caller key");
    }

    @Test
    @Order(3)
    void vertexSeesTheAccessTokenMintedFromTheServiceAccountsSignedJwt() throws Exception {
        HttpResponse<String> answer = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("vertex-minted", "hi"));
        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("hello from vertex"), answer.body());
        assertEquals(List.of("ya29.e2eVertexToken-1"), google.bearersSeen());
    }

    @Test
    @Order(4)
    void neitherProcessLogsALongLivedSecretOrAMintedToken() throws Exception {
        stack.controlPlane.stop();
        stack.sidecar.stop();
        for (var log : new java.nio.file.Path[]{stack.controlPlane.log(), stack.sidecar.log()}) {
            String text = Files.readString(log);
            assertFalse(text.contains(FakeEntraAndAzure.CLIENT_SECRET) || text.contains(WRONG_SECRET)
                    || text.contains(FakeStsAndBedrock.CALLER_SECRET) || text.contains(privateKeyLine),
                    log + " holds a long-lived secret");
            for (String secret : aws.sessionSecrets()) {
                assertFalse(text.contains(secret), log + " holds a session secret or token");
            }
            for (String token : java.util.stream.Stream.concat(azure.bearersSeen().stream(),
                    google.bearersSeen().stream()).toList()) {
                assertFalse(text.contains(token), log + " holds a minted token");
            }
        }
        String controlPlaneLog = Files.readString(stack.controlPlane.log());
        assertTrue(controlPlaneLog.contains("minted a short-lived credential (Entra ID client credentials)")
                && controlPlaneLog.contains("minted a short-lived credential (AWS STS AssumeRole)"),
                "the control plane logs each mint (without the token)");
    }
}
