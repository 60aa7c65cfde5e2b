package dev.tollgate.sidecar.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.Limits;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.VirtualKey;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The README's error catalogue, one test per row, each provoked through the real sidecar against
 * a fake OpenAI upstream whose model name chooses the failure. Every answer is the OpenAI envelope
 * with the documented status, type and code, names what it is about, and carries no key.
 * Rows that need a missing control plane (no_policy) are in ControlStreamTest and the black-box
 * ControlPlaneOutageTest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorCatalogueTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROVIDER_KEY = "sk-provider-CANARY-catalogue-1234";
    private HttpServer upstream;
    private TestSidecar sidecar;
    private int closedPort;
    private Deployment[] all;
    /** Snapshot versions only grow: a sidecar ignores an older one. */
    private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong(10);

    @BeforeAll
    void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.createContext("/v1/chat/completions", this::answer);
        upstream.start();
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String base = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
        all = new Deployment[] {
                openai("auth", "m-401", base), openai("perm", "m-403", base), openai("nomodel", "m-404", base),
                openai("ratelimited", "m-429", base), openai("overloaded", "m-503", base),
                openai("broken", "m-500", base), openai("context", "m-context", base),
                openai("policy", "m-policy", base), openai("badreq", "m-400", base),
                TestSidecar.deployment("slow", "openai", "m-hang", base, PROVIDER_KEY, Map.of("timeout", "0.3")),
                TestSidecar.deployment("unreachable", "openai", "m", "http://127.0.0.1:" + closedPort + "/v1",
                        PROVIDER_KEY, Map.of()),
                TestSidecar.deployment("noenv", "openai", "m", base, "",
                        Map.of("tollgate_credential_error", "environment variable CATALOGUE_KEY (api_key: "
                                + "os.environ/CATALOGUE_KEY) is not set in the control-plane process")),
                TestSidecar.deployment("noprefix", "openia", "m", base, PROVIDER_KEY, Map.of()),
                TestSidecar.deployment("claude", "anthropic", "claude-x", base, PROVIDER_KEY, Map.of()),
                TestSidecar.deployment("chat", "mock", "mock-v1", "", "", Map.of())};
        sidecar = new TestSidecar(all);
    }

    @AfterAll
    void stop() {
        sidecar.close();
        upstream.stop(0);
    }

    private static Deployment openai(String alias, String model, String base) {
        return TestSidecar.deployment(alias, "openai", model, base, PROVIDER_KEY, Map.of());
    }

    /** OpenAI's documented error bodies, chosen by model name. */
    private void answer(HttpExchange exchange) throws IOException {
        String model = JSON.readTree(exchange.getRequestBody()).path("model").asText();
        switch (model) {
            case "m-401" -> reply(exchange, 401, "Incorrect API key provided: sk-pro***1234.", "invalid_api_key");
            case "m-403" -> reply(exchange, 403, "You are not allowed to sample from this model", null);
            case "m-404" -> reply(exchange, 404, "The model `m-404` does not exist", "model_not_found");
            case "m-429" -> {
                exchange.getResponseHeaders().set("Retry-After", "12");
                reply(exchange, 429, "Rate limit reached for requests", "rate_limit_exceeded");
            }
            case "m-503" -> reply(exchange, 503, "The server is overloaded", null);
            case "m-500" -> reply(exchange, 500, "The server had an error", null);
            case "m-context" -> reply(exchange, 400, "This model's maximum context length is 8192 tokens",
                    "context_length_exceeded");
            case "m-policy" -> reply(exchange, 400, "Your request was rejected by our safety system",
                    "content_policy_violation");
            case "m-400" -> reply(exchange, 400, "Invalid value for 'logit_bias'", null);
            case "m-hang" -> {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                reply(exchange, 500, "too late", null);
            }
            default -> reply(exchange, 500, "unexpected model " + model, null);
        }
    }

    private static void reply(HttpExchange exchange, int status, String message, String code) throws IOException {
        byte[] body = ("{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\",\"param\":null,"
                + "\"code\":" + (code == null ? "null" : "\"" + code + "\"") + "}}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private HttpResponse<String> chat(String alias) throws Exception {
        return sidecar.post("/v1/chat/completions",
                "{\"model\":\"" + alias + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    private static JsonNode expect(HttpResponse<String> r, int status, String type, String code, String... mentions)
            throws IOException {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertEquals(type, error.path("type").asText(), r.body());
        assertEquals(code, error.path("code").asText(), r.body());
        assertTrue(error.has("param"), r.body());
        for (String m : mentions) {
            assertTrue(error.path("message").asText().contains(m), "'" + m + "' missing from " + r.body());
        }
        assertFalse(r.body().contains("CANARY") || r.body().contains("sk-pro***"), r.body());
        assertFalse(r.headers().map().toString().contains("CANARY"));
        return error;
    }

    @Test
    void unknownAlias() throws Exception {
        expect(chat("no-such-alias"), 404, "invalid_request_error", "model_not_found", "no-such-alias", "chat");
    }

    @Test
    void missingInvalidExpiredAndBlockedKeys() throws Exception {
        expect(sidecar.post("/v1/chat/completions", "{}", Map.of("Content-Type", "application/json")), 401,
                "authentication_error", "missing_api_key");
        expect(sidecar.post("/v1/chat/completions", "{}", Map.of("Authorization", "Bearer sk-unknown")), 401,
                "authentication_error", "invalid_api_key");
        String expired = "sk-expired-key-0001";
        String blocked = "sk-blocked-key-0001";
        String narrow = "sk-narrow-key-0001";
        sidecar.install(policyWith(
                VirtualKey.newBuilder().setKeyHash(TestSidecar.sha256(expired)).setKeyId(
                        "00000000-0000-0000-0000-000000000002").setKeyAlias("old").setExpiresAtMs(1_000),
                VirtualKey.newBuilder().setKeyHash(TestSidecar.sha256(blocked)).setKeyId(
                        "00000000-0000-0000-0000-000000000003").setKeyAlias("frozen").setBlocked(true),
                VirtualKey.newBuilder().setKeyHash(TestSidecar.sha256(narrow)).setKeyId(
                        "00000000-0000-0000-0000-000000000004").setKeyAlias("narrow").addModels("auth")));
        String body = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        expect(sidecar.post("/v1/chat/completions", body, Map.of("Authorization", "Bearer " + expired)), 401,
                "authentication_error", "key_expired", "old");
        expect(sidecar.post("/v1/chat/completions", body, Map.of("Authorization", "Bearer " + blocked)), 401,
                "authentication_error", "key_blocked", "frozen");
        expect(sidecar.post("/v1/chat/completions", body, Map.of("Authorization", "Bearer " + narrow)), 403,
                "permission_error", "model_not_allowed", "narrow", "auth");
    }

    /** Every alias, with the test key and {@code keys} beside it, at a newer version. */
    private PolicySnapshot policyWith(VirtualKey.Builder... keys) {
        PolicySnapshot.Builder b = TestSidecar.snapshot(version.incrementAndGet(), all).toBuilder();
        for (VirtualKey.Builder k : keys) {
            b.addKeys(k);
        }
        return b.build();
    }

    @Test
    void configurationErrors() throws Exception {
        expect(chat("noprefix"), 500, "configuration_error", "unknown_provider", "openia", "noprefix#0");
        expect(chat("noenv"), 500, "configuration_error", "missing_credential", "CATALOGUE_KEY");
    }

    @Test
    void providerErrors() throws Exception {
        expect(chat("auth"), 401, "authentication_error", "provider_auth_error", "auth#0", "alias 'auth'");
        expect(chat("perm"), 403, "permission_error", "provider_permission_denied", "perm#0");
        expect(chat("nomodel"), 404, "invalid_request_error", "provider_model_not_found", "nomodel#0");
        expect(chat("badreq"), 400, "invalid_request_error", "provider_bad_request", "logit_bias");
        expect(chat("context"), 400, "invalid_request_error", "context_length_exceeded", "context#0");
        expect(chat("policy"), 400, "invalid_request_error", "content_policy_violation", "policy#0");
        HttpResponse<String> limited = chat("ratelimited");
        expect(limited, 429, "rate_limit_error", "provider_rate_limited", "ratelimited#0");
        assertEquals("12", limited.headers().firstValue("retry-after").orElse(""));
        expect(chat("overloaded"), 503, "service_unavailable", "provider_overloaded", "overloaded#0");
        expect(chat("broken"), 502, "api_error", "provider_error", "broken#0");
        expect(chat("unreachable"), 502, "api_connection_error", "provider_unreachable",
                "127.0.0.1:" + closedPort);
        long started = System.nanoTime();
        expect(chat("slow"), 504, "timeout_error", "provider_timeout", "slow#0");
        assertTrue(System.nanoTime() - started < 4_000_000_000L, "the 0.3 s deployment timeout held");
    }

    @Test
    void malformedRequestAndUnsupportedParameter() throws Exception {
        expect(sidecar.post("/v1/chat/completions", "{\"model\":"), 400, "invalid_request_error", "invalid_json");
        expect(sidecar.post("/v1/chat/completions", "{\"model\":\"chat\"}"), 400, "invalid_request_error",
                "invalid_request", "messages");
        expect(sidecar.post("/v1/chat/completions", "{\"model\":\"claude\",\"seed\":7,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}"), 400, "invalid_request_error", "unsupported_params", "seed");
    }

    @Test
    void budgetAndRateLimitWithoutALeaseAre429() throws Exception {
        String budgeted = "sk-budgeted-key-0001";
        String limited = "sk-limited-key-0001";
        sidecar.install(policyWith(
                VirtualKey.newBuilder().setKeyHash(TestSidecar.sha256(budgeted)).setKeyId(
                        "00000000-0000-0000-0000-000000000005").setKeyAlias("budgeted")
                        .setLimits(Limits.newBuilder().setMaxBudgetMicros(1_000_000).setBudgetDuration("1d")),
                VirtualKey.newBuilder().setKeyHash(TestSidecar.sha256(limited)).setKeyId(
                        "00000000-0000-0000-0000-000000000006").setKeyAlias("limited")
                        .setLimits(Limits.newBuilder().setRpmLimit(10))));
        String body = "{\"model\":\"chat\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> b = sidecar.post("/v1/chat/completions", body, Map.of("Authorization", "Bearer " + budgeted));
        expect(b, 429, "budget_exceeded", "budget_exceeded", "budgeted");
        assertTrue(b.headers().firstValue("retry-after").isPresent());
        HttpResponse<String> r = sidecar.post("/v1/chat/completions", body, Map.of("Authorization", "Bearer " + limited));
        expect(r, 429, "rate_limit_error", "rate_limit_exceeded");
        assertTrue(r.headers().firstValue("retry-after").isPresent());
    }

    @Test
    void everyDeploymentCoolingDownIsNoDeploymentsAvailable() throws Exception {
        // Two deployments whose credential the provider rejects: a 401 cools each down at once.
        String base = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
        Deployment first = TestSidecar.deployment("pair", "openai", "m-401", base, PROVIDER_KEY, Map.of());
        Deployment second = first.toBuilder().setId("pair#1").build();
        sidecar.install(policyWith().toBuilder().addAliases(dev.tollgate.proto.control.v1.Alias.newBuilder()
                .setName("pair").addDeployments(first).addDeployments(second)).build());
        expect(chat("pair"), 401, "authentication_error", "provider_auth_error");
        expect(chat("pair"), 401, "authentication_error", "provider_auth_error");
        HttpResponse<String> r = chat("pair");
        expect(r, 503, "service_unavailable", "no_deployments_available", "pair#0", "pair#1");
        assertTrue(r.headers().firstValue("retry-after").isPresent(), r.headers().map().toString());
    }
}
