package dev.tollgate.sidecar;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.proto.control.v1.UsageRecord;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken deployments: each failure is its own error, names the alias and deployment, and leaks no key. */
class ProviderFailureTest {

    private static final String UPSTREAM_KEY = "sk-proj-the-key-upstream-accepts-0002";
    private static final String STALE_KEY = "sk-proj-revoked-key-still-in-config-0002";
    private static final String VIRTUAL_KEY = "tg-test-virtual-key-0002";
    private static final String MISSING_ENV = "OPENAI_API_KEY_EU";
    private static final int CLOSED_PORT = TestPolicy.closedPort();
    private static final String CLOSED_BASE = "http://127.0.0.1:" + CLOSED_PORT + "/v1";

    @TempDir
    static Path dataDir;
    private static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start(dataDir, UPSTREAM_KEY, fake -> TestPolicy.snapshot(1, List.of(
                        TestPolicy.alias("stale-key-chat", TestPolicy.openAi("gpt-4o-mini", fake.apiBase(), STALE_KEY)),
                        TestPolicy.alias("unreachable-chat", TestPolicy.openAi("gpt-4o-mini", CLOSED_BASE, UPSTREAM_KEY)),
                        TestPolicy.alias("unset-env-chat", TestPolicy.openAi("gpt-4o-mini", fake.apiBase(), "")
                                .toBuilder()
                                .putParams("tollgate_credential_error", "environment variable " + MISSING_ENV
                                        + " (api_key: os.environ/" + MISSING_ENV + ") is not set in the control-plane process")
                                .build())),
                List.of(TestPolicy.key(VIRTUAL_KEY, "ci"))));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @BeforeEach
    void forgetEarlierRequests() {
        stack.upstream.requests.clear();
    }

    @Test
    void providerRejectingTheCredentialIsA401NamingDeploymentAndAlias() throws Exception {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("stale-key-chat", "Hi"));

        String message = Envelope.assertError(response, 401, "authentication_error", "provider_auth_error", null);
        assertAll(
                () -> assertTrue(message.contains("Deployment 'stale-key-chat#0'"), message),
                () -> assertTrue(message.contains("alias 'stale-key-chat'"), message),
                () -> assertTrue(message.contains("rejected the deployment's credential"), message),
                () -> assertEquals("Bearer " + STALE_KEY,
                        stack.upstream.requests.poll(5, TimeUnit.SECONDS).authorization()));
    }

    @Test
    void providerRejectionLeaksNeitherTheKeyNorItsMaskedForm() {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("stale-key-chat", "Hi"));

        assertEquals(401, response.statusCode());
        String everything = response.body() + response.headers().map();
        assertAll(
                () -> assertFalse(everything.contains(STALE_KEY), everything),
                () -> assertFalse(everything.contains(UPSTREAM_KEY), everything),
                () -> assertFalse(everything.contains(FakeOpenAi.MASKED_KEY), everything),
                () -> assertFalse(everything.contains("sk-abc"), everything));
    }

    @Test
    void providerRejectionIsRecordedAsAFailedCall() {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY, Sidecar.streamBody("stale-key-chat", "Hi", false));

        Envelope.assertError(response, 401, "authentication_error", "provider_auth_error", null);
        UsageRecord record = stack.controlPlane.awaitUsage(
                response.headers().firstValue("x-tollgate-request-id").orElseThrow(), Duration.ofSeconds(5));
        assertAll(
                () -> assertEquals(401, record.getHttpStatus()),
                () -> assertEquals("provider_auth_error", record.getErrorType()));
    }

    @Test
    void closedApiBasePortIsA502NamingTheApiBase() {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("unreachable-chat", "Hi"));

        String message = Envelope.assertError(response, 502, "api_connection_error", "provider_unreachable", null);
        assertAll(
                () -> assertTrue(message.contains(CLOSED_BASE), message),
                () -> assertTrue(message.contains("Deployment 'unreachable-chat#0'"), message),
                () -> assertTrue(message.contains("alias 'unreachable-chat'"), message));
    }

    @Test
    void unsetCredentialVariableIsA500NamingTheVariable() {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("unset-env-chat", "Hi"));

        String message = Envelope.assertError(response, 500, "configuration_error", "missing_credential", null);
        assertAll(
                () -> assertTrue(message.contains(MISSING_ENV), message),
                () -> assertTrue(message.contains("Deployment 'unset-env-chat#0'"), message),
                () -> assertTrue(stack.upstream.requests.isEmpty(), "the provider is not called without a credential"));
    }
}
