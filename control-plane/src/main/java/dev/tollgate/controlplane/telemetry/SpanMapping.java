package dev.tollgate.controlplane.telemetry;

import dev.tollgate.proto.control.v1.UsageRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns one usage record into its spans: a server span for the gateway request (child of the
 * caller's span when it sent a traceparent) and a client span for the provider call, named
 * {@code {gen_ai.operation.name} {gen_ai.request.model}} with the OpenTelemetry GenAI attributes.
 * Records carry no prompt, completion or key, so neither can reach a span.
 */
final class SpanMapping {

    /** Tollgate provider prefixes to {@code gen_ai.provider.name} values of the semantic conventions. */
    private static final Map<String, String> PROVIDER_NAMES = Map.ofEntries(
            Map.entry("openai", "openai"), Map.entry("azure", "azure.ai.openai"),
            Map.entry("anthropic", "anthropic"), Map.entry("gemini", "gcp.gemini"),
            Map.entry("vertex_ai", "gcp.vertex_ai"), Map.entry("bedrock", "aws.bedrock"),
            Map.entry("mistral", "mistral_ai"), Map.entry("groq", "groq"), Map.entry("deepseek", "deepseek"),
            Map.entry("ollama", "ollama"), Map.entry("ollama_chat", "ollama"));

    private SpanMapping() {
    }

    static String providerName(String prefix) {
        return PROVIDER_NAMES.getOrDefault(prefix, prefix);
    }

    static List<SpanData> spans(UsageRecord r) {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), "tollgate-sidecar",
                AttributeKey.stringKey("service.instance.id"), r.getSidecarName())));
        long start = r.getStartedAtMs() * 1_000_000L;
        long durationNanos = r.getDurationUs() > 0 ? r.getDurationUs() * 1_000 : r.getLatencyMs() * 1_000_000L;
        SpanContext server = context(r.getTraceId(), r.getSpanId());
        SpanContext parent = r.getParentSpanId().isEmpty() ? SpanContext.getInvalid()
                : SpanContext.createFromRemoteParent(r.getTraceId(), r.getParentSpanId(), TraceFlags.getSampled(),
                TraceState.getDefault());
        boolean failed = r.getHttpStatus() >= 400;
        StatusData status = failed ? StatusData.create(StatusCode.ERROR, r.getErrorType()) : StatusData.unset();

        List<SpanData> spans = new ArrayList<>(2);
        AttributesBuilder serverAttrs = Attributes.builder()
                .put("http.request.method", "POST")
                .put("url.path", r.getRoute())
                .put("http.response.status_code", (long) r.getHttpStatus())
                .put("tollgate.request_id", r.getId())
                .put("tollgate.alias", r.getAlias())
                .put("tollgate.attempts", (long) Math.max(1, r.getAttempts()));
        if (failed) {
            serverAttrs.put("error.type", r.getErrorType().isEmpty() ? Integer.toString(r.getHttpStatus())
                    : r.getErrorType());
        }
        spans.add(new RecordSpan("POST " + (r.getRoute().isEmpty() ? "/v1/chat/completions" : r.getRoute()),
                SpanKind.SERVER, server, parent, status, start, start + durationNanos, serverAttrs.build(), List.of(),
                resource));

        if (!r.getProviderSpanId().isEmpty()) {
            long providerStart = start + r.getProviderStartOffsetUs() * 1_000;
            long providerEnd = providerStart + r.getProviderDurationUs() * 1_000;
            List<EventData> events = r.getStream() && r.getTtftMs() > 0
                    ? List.of(EventData.create(start + r.getTtftMs() * 1_000_000L, "gen_ai.first_token",
                    Attributes.of(AttributeKey.longKey("tollgate.ttft_ms"), r.getTtftMs())))
                    : List.of();
            spans.add(new RecordSpan(r.getOperation() + " " + r.getModel(), SpanKind.CLIENT,
                    context(r.getTraceId(), r.getProviderSpanId()), server, status, providerStart, providerEnd,
                    clientAttributes(r, failed), events, resource));
        }
        return spans;
    }

    private static Attributes clientAttributes(UsageRecord r, boolean failed) {
        AttributesBuilder a = Attributes.builder()
                .put("gen_ai.operation.name", r.getOperation())
                .put("gen_ai.provider.name", providerName(r.getProvider()))
                .put("gen_ai.system", providerName(r.getProvider()))
                .put("gen_ai.request.model", r.getModel())
                .put("gen_ai.usage.input_tokens", r.getPromptTokens())
                .put("gen_ai.usage.output_tokens", r.getCompletionTokens())
                .put("tollgate.alias", r.getAlias())
                .put("tollgate.deployment", r.getDeploymentId())
                .put("tollgate.key_alias", r.getKeyAlias())
                .put("tollgate.team", r.getTeamId())
                .put("tollgate.cost_usd", java.math.BigDecimal.valueOf(r.getCostMicros(), 6).toPlainString())
                .put("tollgate.attempt", (long) Math.max(1, r.getAttempts()));
        if (r.hasRequestMaxTokens()) {
            a.put("gen_ai.request.max_tokens", r.getRequestMaxTokens());
        }
        if (r.hasRequestTemperature()) {
            a.put("gen_ai.request.temperature", r.getRequestTemperature());
        }
        if (r.hasRequestTopP()) {
            a.put("gen_ai.request.top_p", r.getRequestTopP());
        }
        if (!r.getResponseId().isEmpty()) {
            a.put("gen_ai.response.id", r.getResponseId());
        }
        if (!r.getResponseModel().isEmpty()) {
            a.put("gen_ai.response.model", r.getResponseModel());
        }
        if (r.getFinishReasonsCount() > 0) {
            a.put(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), r.getFinishReasonsList());
        }
        if (!r.getServerAddress().isEmpty()) {
            a.put("server.address", r.getServerAddress());
            a.put("server.port", (long) r.getServerPort());
        }
        if (failed) {
            a.put("error.type", r.getErrorType().isEmpty() ? Integer.toString(r.getHttpStatus()) : r.getErrorType());
        }
        return a.build();
    }

    private static SpanContext context(String traceId, String spanId) {
        return SpanContext.create(traceId, spanId, TraceFlags.getSampled(), TraceState.getDefault());
    }
}
