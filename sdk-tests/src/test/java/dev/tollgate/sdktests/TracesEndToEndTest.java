package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A trace per request, exported by the control plane over OTLP to a receiver on loopback: the
 * gateway's server span joins the caller's traceparent and each provider call (each retry its own) is its child, with
 * the OpenTelemetry GenAI attributes; failures carry error.type; no key reaches a span.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracesEndToEndTest {

    private static final String PROVIDER_KEY = "sk-provider-CANARY-trace-5e6f7a8b";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private OtlpReceiver receiver;
    private FakeOpenAi upstream;
    private Stack stack;
    private String key;

    @BeforeAll
    void start() throws Exception {
        receiver = new OtlpReceiver();
        upstream = new FakeOpenAi(PROVIDER_KEY);
        String config = """
                model_list:
                  - model_name: traced-chat
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s
                      api_key: os.environ/TRACE_OPENAI_KEY
                  - model_name: broken-chat
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s
                      api_key: sk-wrong-CANARY-trace-00000000
                  - model_name: streamed-chat
                    litellm_params:
                      model: mock/stream-v1
                  - model_name: retried-chat
                    litellm_params:
                      model: openai/fail-once-gpt
                      api_base: %1$s
                      api_key: os.environ/TRACE_OPENAI_KEY
                      order: 1
                  - model_name: retried-chat
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s
                      api_key: os.environ/TRACE_OPENAI_KEY
                      order: 2
                router_settings:
                  num_retries: 1
                general_settings:
                  master_key: os.environ/TOLLGATE_MASTER_KEY
                """.formatted(upstream.baseUrl());
        stack = new Stack("traces", Files.createTempDirectory("tollgate-e2e-traces"), config,
                Map.of("TRACE_OPENAI_KEY", PROVIDER_KEY, "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()));
        stack.startControlPlane();
        stack.startSidecar();
        stack.awaitSidecarReady();
        key = stack.newKey("{\"key_alias\":\"tracer\"}");
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private HttpResponse<String> chat(String alias, String traceparent, String extra) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(stack.sidecarUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .header("traceparent", traceparent)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + alias + "\",\"max_tokens\":64,"
                        + "\"temperature\":0.5" + extra + ",\"messages\":[{\"role\":\"user\",\"content\":\"secret prompt text\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<Span> awaitSpans(String traceId, int count) throws InterruptedException {
        assertTrue(Http.await(Duration.ofSeconds(15), () -> receiver.inTrace(traceId).size() >= count),
                "spans received for trace " + traceId + ": " + receiver.inTrace(traceId).size());
        return receiver.inTrace(traceId);
    }

    @Test
    void successfulCallIsAServerSpanJoinedToTheCallerWithAGenAiClientChild() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String callerSpan = "00f067aa0ba902b7";
        HttpResponse<String> r = chat("traced-chat", "00-" + traceId + "-" + callerSpan + "-01", "");
        assertEquals(200, r.statusCode(), r.body());
        String returned = r.headers().firstValue("traceparent").orElse("");
        assertTrue(returned.startsWith("00-" + traceId + "-"), returned);

        List<Span> spans = awaitSpans(traceId, 2);
        Span server = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
        Span client = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).findFirst().orElseThrow();
        assertEquals(callerSpan, OtlpReceiver.hex(server.getParentSpanId()));
        assertEquals(returned.substring(36, 52), OtlpReceiver.hex(server.getSpanId()));
        assertEquals(OtlpReceiver.hex(server.getSpanId()), OtlpReceiver.hex(client.getParentSpanId()));
        assertEquals("chat gpt-4o-mini", client.getName());
        assertEquals("chat", attr(client, "gen_ai.operation.name"));
        assertEquals("openai", attr(client, "gen_ai.provider.name"));
        assertEquals("gpt-4o-mini", attr(client, "gen_ai.request.model"));
        assertEquals("gpt-4o-mini", attr(client, "gen_ai.response.model"));
        assertEquals("chatcmpl-fake", attr(client, "gen_ai.response.id"));
        assertEquals(64, OtlpReceiver.attribute(client, "gen_ai.request.max_tokens").orElseThrow().getIntValue());
        assertEquals(0.5, OtlpReceiver.attribute(client, "gen_ai.request.temperature").orElseThrow().getDoubleValue());
        assertEquals("stop", OtlpReceiver.attribute(client, "gen_ai.response.finish_reasons").orElseThrow()
                .getArrayValue().getValues(0).getStringValue());
        assertEquals(7, OtlpReceiver.attribute(client, "gen_ai.usage.input_tokens").orElseThrow().getIntValue());
        assertEquals(3, OtlpReceiver.attribute(client, "gen_ai.usage.output_tokens").orElseThrow().getIntValue());
        assertEquals("127.0.0.1", attr(client, "server.address"));
        assertEquals("traced-chat", attr(client, "tollgate.alias"));
        assertEquals("traced-chat#0", attr(client, "tollgate.deployment"));
        assertEquals("tracer", attr(client, "tollgate.key_alias"));
        assertTrue(client.getStartTimeUnixNano() >= server.getStartTimeUnixNano());
        assertTrue(client.getEndTimeUnixNano() <= server.getEndTimeUnixNano());
        assertNoSecretOrPrompt(spans);
    }

    @Test
    void providerFailureCarriesErrorTypeOnBothSpans() throws Exception {
        String traceId = "5bf92f3577b34da6a3ce929d0e0e4737";
        HttpResponse<String> r = chat("broken-chat", "00-" + traceId + "-10f067aa0ba902b7-01", "");
        assertEquals(401, r.statusCode());
        List<Span> spans = awaitSpans(traceId, 2);
        for (Span span : spans) {
            assertEquals("provider_auth_error", attr(span, "error.type"), span.getName());
            assertEquals(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR, span.getStatus().getCode());
        }
        assertNoSecretOrPrompt(spans);
    }

    @Test
    void retriedCallIsOneClientSpanPerAttemptUnderTheServerSpan() throws Exception {
        String traceId = "8bf92f3577b34da6a3ce929d0e0e473a";
        HttpResponse<String> r = chat("retried-chat", "00-" + traceId + "-40f067aa0ba902b7-01", "");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("2", r.headers().firstValue("x-tollgate-attempts").orElse(""));

        List<Span> spans = awaitSpans(traceId, 3);
        assertEquals(3, spans.size(), spans.toString());
        Span server = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
        List<Span> clients = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT)
                .sorted(java.util.Comparator.comparingLong(s ->
                        OtlpReceiver.attribute(s, "tollgate.attempt").orElseThrow().getIntValue()))
                .toList();
        assertEquals(2, clients.size(), spans.toString());
        Span failed = clients.get(0);
        Span answered = clients.get(1);
        for (Span client : clients) {
            assertEquals(OtlpReceiver.hex(server.getSpanId()), OtlpReceiver.hex(client.getParentSpanId()),
                    client.getName() + " is a child of the server span");
            assertTrue(client.getStartTimeUnixNano() >= server.getStartTimeUnixNano());
            assertTrue(client.getEndTimeUnixNano() <= server.getEndTimeUnixNano());
        }
        assertFalse(OtlpReceiver.hex(failed.getSpanId()).equals(OtlpReceiver.hex(answered.getSpanId())));

        assertEquals("chat fail-once-gpt", failed.getName());
        assertEquals(1, OtlpReceiver.attribute(failed, "tollgate.attempt").orElseThrow().getIntValue());
        assertEquals("retried-chat#0", attr(failed, "tollgate.deployment"));
        assertEquals("provider_error", attr(failed, "error.type"));
        assertEquals(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR, failed.getStatus().getCode());

        assertEquals("chat gpt-4o-mini", answered.getName());
        assertEquals(2, OtlpReceiver.attribute(answered, "tollgate.attempt").orElseThrow().getIntValue());
        assertEquals("retried-chat#1", attr(answered, "tollgate.deployment"));
        assertTrue(OtlpReceiver.attribute(answered, "error.type").isEmpty(), "the answering call did not fail");
        assertFalse(answered.getStatus().getCode() == io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
        assertEquals(7, OtlpReceiver.attribute(answered, "gen_ai.usage.input_tokens").orElseThrow().getIntValue());
        assertTrue(answered.getStartTimeUnixNano() >= failed.getEndTimeUnixNano(), "the retry follows the failed call");
        assertTrue(OtlpReceiver.attribute(server, "error.type").isEmpty(), "the request itself succeeded");
        assertNoSecretOrPrompt(spans);
    }

    @Test
    void streamedCallRecordsTimeToFirstTokenAsAnEvent() throws Exception {
        String traceId = "6bf92f3577b34da6a3ce929d0e0e4738";
        HttpResponse<String> r = chat("streamed-chat", "00-" + traceId + "-20f067aa0ba902b7-01", ",\"stream\":true");
        assertEquals(200, r.statusCode());
        Span client = awaitSpans(traceId, 2).stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT)
                .findFirst().orElseThrow();
        assertTrue(client.getEventsList().stream().anyMatch(e -> e.getName().equals("gen_ai.first_token")));
        assertEquals("mock", attr(client, "gen_ai.provider.name"));
    }

    @Test
    void metricsAndRequestLogLinesDescribeEveryRequest() throws Exception {
        assertEquals(200, chat("traced-chat", "00-7bf92f3577b34da6a3ce929d0e0e4739-30f067aa0ba902b7-01", "")
                .statusCode());
        String sidecar = Http.get(stack.sidecarUrl() + "/metrics", null).body();
        assertTrue(sidecar.contains("tollgate_requests_total{alias=\"traced-chat\",deployment=\"traced-chat#0\","
                + "provider=\"openai\",status=\"200\"}"), sidecar);
        assertTrue(sidecar.contains("tollgate_gateway_overhead_seconds_bucket"), sidecar);
        assertTrue(sidecar.contains("tollgate_tokens_total{alias=\"traced-chat\",type=\"input\"}"), sidecar);
        assertTrue(sidecar.contains("tollgate_usage_spool_depth"), sidecar);
        assertTrue(Http.await(Duration.ofSeconds(10), () -> {
            try {
                String cp = Http.get(stack.admin() + "/metrics", null).body();
                return cp.contains("tollgate_connected_sidecars 1") && cp.contains("tollgate_spans_exported_total")
                        && !cp.contains("tollgate_usage_records_ingested_total 0");
            } catch (Exception e) {
                return false;
            }
        }));
        assertTrue(Http.await(Duration.ofSeconds(5), () -> {
            try {
                return Files.readString(stack.sidecar.log()).contains("alias=traced-chat deployment=traced-chat#0 "
                        + "provider=openai model=gpt-4o-mini status=200");
            } catch (java.io.IOException e) {
                return false;
            }
        }), "no request log line in " + stack.sidecar.log());
        assertFalse(Files.readString(stack.sidecar.log()).contains(key));
    }

    private static String attr(Span span, String key) {
        return OtlpReceiver.attribute(span, key).orElseThrow(() -> new AssertionError(key + " missing on " + span.getName()))
                .getStringValue();
    }

    private void assertNoSecretOrPrompt(List<Span> spans) {
        String all = spans.toString();
        assertFalse(all.contains(PROVIDER_KEY) || all.contains("CANARY") || all.contains(key)
                || all.contains(Stack.MASTER_KEY) || all.contains("secret prompt text"), "a secret or prompt reached a span");
    }
}
