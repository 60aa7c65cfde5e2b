package dev.tollgate.sidecar.provider.bedrock;

import static dev.tollgate.sidecar.provider.bedrock.BedrockFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bedrock's error classes (and its SigV4 refusals) as gateway errors, never leaking a credential. */
class BedrockErrorsTest {

    private static final String HI = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    private static BedrockFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new BedrockFixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void reset() {
        f.reset();
    }

    @ParameterizedTest(name = "{0} ({1}) -> {2} {3}")
    @CsvSource({
            "AccessDeniedException, 403, 403, provider_permission_denied",
            "ExpiredTokenException, 403, 401, provider_auth_error",
            "ResourceNotFoundException, 404, 404, provider_model_not_found",
            "ValidationException, 400, 400, provider_bad_request",
            "ThrottlingException, 429, 429, provider_rate_limited",
            "ServiceQuotaExceededException, 400, 429, provider_rate_limited",
            "ServiceUnavailableException, 503, 503, provider_overloaded",
            "ModelNotReadyException, 429, 503, provider_overloaded",
            "InternalServerException, 500, 502, provider_error",
            "ModelErrorException, 424, 502, provider_error",
            "ModelTimeoutException, 408, 504, provider_timeout"})
    void bedrockErrorTypeMapsToTheGatewayCatalogueQuotingBedrock(String type, int awsStatus, int status, String code)
            throws Exception {
        f.fake.answers = req -> FakeBedrock.error(awsStatus, type, "Bedrock says " + type + " happened.");

        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted("claude"));

        assertEquals(status, r.statusCode(), r.body());
        JsonNode error = json(r.body()).path("error");
        assertEquals(code, error.path("code").asText());
        assertTrue(error.path("message").asText().contains("Bedrock says " + type + " happened."), r.body());
        assertTrue(error.path("message").asText().contains("Deployment 'claude#0' (provider bedrock)"), r.body());
    }

    @Test
    void wrongSecretIs401ProviderAuthErrorWithoutAnySecretInTheBody() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted("wrong-secret"));

        assertEquals(401, r.statusCode(), r.body());
        JsonNode error = json(r.body()).path("error");
        assertEquals("provider_auth_error", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("signature we calculated does not match"), r.body());
        assertTrue(error.path("message").asText().contains("aws_secret_access_key"), r.body());
        assertFalse(r.body().contains(BedrockFixture.WRONG_SECRET), r.body());
        assertFalse(r.body().contains(SigV4Verifier.SECRET), r.body());
        assertFalse(r.body().contains(SigV4Verifier.ACCESS_KEY), r.body());
        assertTrue(f.fake.received.isEmpty(), "the fake must refuse before answering");
    }

    @Test
    void unknownAccessKeyIs401ProviderAuthError() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted("unknown-key"));

        assertEquals(401, r.statusCode(), r.body());
        assertEquals("provider_auth_error", json(r.body()).at("/error/code").asText());
        assertTrue(r.body().contains("The security token included in the request is invalid."), r.body());
    }

    @Test
    void promptOverTheContextWindowIsContextLengthExceeded() throws Exception {
        f.fake.answers = req -> FakeBedrock.error(400, "ValidationException", "Input is too long for requested model.");

        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted("claude"));

        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = json(r.body()).path("error");
        assertEquals("context_length_exceeded", error.path("code").asText());
        assertEquals("invalid_request_error", error.path("type").asText());
        assertTrue(error.path("message").asText().contains("Input is too long for requested model."), r.body());
    }

    @Test
    void credentialsQuotedByBedrockAreRedacted() throws Exception {
        f.fake.answers = req -> FakeBedrock.error(403, "AccessDeniedException", "User with key "
                + SigV4Verifier.ACCESS_KEY + " and secret " + SigV4Verifier.SECRET + " is not authorized.");

        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted("claude"));

        assertEquals(403, r.statusCode(), r.body());
        assertFalse(r.body().contains(SigV4Verifier.SECRET), r.body());
        assertFalse(r.body().contains(SigV4Verifier.ACCESS_KEY), r.body());
        assertTrue(r.body().contains("[redacted]"), r.body());
    }

    @Test
    void deploymentWithoutRegionIs500MissingCredentialNamingTheParam() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted("no-region"));

        assertEquals(500, r.statusCode(), r.body());
        assertEquals("missing_credential", json(r.body()).at("/error/code").asText());
        assertTrue(r.body().contains("aws_region_name"), r.body());
    }

    @Test
    void deploymentWithoutAwsKeysIs500MissingCredentialSayingApiKeyIsNotUsed() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted("no-keys"));

        assertEquals(500, r.statusCode(), r.body());
        JsonNode error = json(r.body()).path("error");
        assertEquals("missing_credential", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("aws_access_key_id"), r.body());
        assertTrue(error.path("message").asText().contains("api_key is not used"), r.body());
        assertTrue(f.fake.received.isEmpty());
    }

    @Test
    void unresolvedEnvironmentReferenceIs500MissingCredentialNamingTheVariable() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted("env-ref"));

        assertEquals(500, r.statusCode(), r.body());
        assertEquals("missing_credential", json(r.body()).at("/error/code").asText());
        assertTrue(r.body().contains("aws_secret_access_key arrived unresolved as os.environ/AWS_SECRET"), r.body());
        assertTrue(f.fake.received.isEmpty());
    }

    @Test
    void unreachableEndpointIs502NamingApiBase() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted("unreachable"));

        assertEquals(502, r.statusCode(), r.body());
        assertEquals("provider_unreachable", json(r.body()).at("/error/code").asText());
        assertTrue(r.body().contains("http://127.0.0.1:1"), r.body());
    }

    @Test
    void nonJsonSuccessIsBadResponse() throws Exception {
        f.fake.answers = req -> FakeBedrock.ok("<html>proxy page</html>");

        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", HI.formatted("claude"));

        assertEquals(502, r.statusCode(), r.body());
        assertEquals("provider_bad_response", json(r.body()).at("/error/code").asText());
    }
}
