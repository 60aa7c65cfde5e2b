package dev.tollgate.controlplane.telemetry;

import dev.tollgate.proto.control.v1.RouterAttempt;
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
 * caller's span when it sent a traceparent) and a client span per provider call, named
 * {@code {gen_ai.operation.name} {gen_ai.request.model}} with the OpenTelemetry GenAI attributes.
 * A record whose router attempts carry span data gets one client span per attempt (retries and
 * fallbacks each their own, a failed one with {@code error.type} and status ERROR); an older record
 * gets one client span from its provider fields. Records carry no prompt, completion or key, so
 * neither can reach a span.
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

        List<EventData> firstToken = r.getStream() && r.getTtftMs() > 0
                ? List.of(EventData.create(start + r.getTtftMs() * 1_000_000L, "gen_ai.first_token",
                Attributes.of(AttributeKey.longKey("tollgate.ttft_ms"), r.getTtftMs())))
                : List.of();
        if (perAttempt(r)) {
            for (int i = 0; i < r.getRouterAttemptsCount(); i++) {
                RouterAttempt attempt = r.getRouterAttempts(i);
                boolean answering = attempt.getSpanId().equals(r.getProviderSpanId());
                boolean attemptFailed = attempt.getStatus() >= 400 || !attempt.getErrorCode().isEmpty();
                String model = attempt.getModel().isEmpty() && answering ? r.getModel() : attempt.getModel();
                long attemptStart = start + attempt.getStartOffsetUs() * 1_000;
                spans.add(new RecordSpan(r.getOperation() + " " + model, SpanKind.CLIENT,
                        context(r.getTraceId(), attempt.getSpanId()), server,
                        attemptFailed ? StatusData.create(StatusCode.ERROR, attemptError(attempt)) : StatusData.unset(),
                        attemptStart, attemptStart + attempt.getDurationUs() * 1_000,
                        attemptAttributes(r, attempt, i + 1, model, answering, attemptFailed),
                        answering ? firstToken : List.of(), resource));
            }
        } else if (!r.getProviderSpanId().isEmpty()) {
            long providerStart = start + r.getProviderStartOffsetUs() * 1_000;
            long providerEnd = providerStart + r.getProviderDurationUs() * 1_000;
            spans.add(new RecordSpan(r.getOperation() + " " + r.getModel(), SpanKind.CLIENT,
                    context(r.getTraceId(), r.getProviderSpanId()), server, status, providerStart, providerEnd,
                    clientAttributes(r, failed), firstToken, resource));
        }
        return spans;
    }

    /** Whether every router attempt carries its own span (sidecars from before that carry none). */
    private static boolean perAttempt(UsageRecord r) {
        return r.getRouterAttemptsCount() > 0
                && r.getRouterAttemptsList().stream().noneMatch(a -> a.getSpanId().isEmpty());
    }

    private static String attemptError(RouterAttempt a) {
        return a.getErrorCode().isEmpty() ? Integer.toString(a.getStatus()) : a.getErrorCode();
    }

    /**
     * One attempt's client span attributes: its own provider, model, alias, deployment and outcome;
     * usage, cost and response facts only on the attempt that answered (the others consumed nothing).
     */
    private static Attributes attemptAttributes(UsageRecord r, RouterAttempt attempt, int number, String model,
                                                boolean answering, boolean failed) {
        String provider = attempt.getProvider().isEmpty() ? r.getProvider() : attempt.getProvider();
        AttributesBuilder a = Attributes.builder()
                .put("gen_ai.operation.name", r.getOperation())
                .put("gen_ai.provider.name", providerName(provider))
                .put("gen_ai.system", providerName(provider))
                .put("gen_ai.request.model", model)
                .put("tollgate.alias", attempt.getAlias().isEmpty() ? r.getAlias() : attempt.getAlias())
                .put("tollgate.deployment", attempt.getDeploymentId())
                .put("tollgate.key_alias", r.getKeyAlias())
                .put("tollgate.team", r.getTeamId())
                .put("tollgate.attempt", (long) number);
        requestParams(r, a);
        if (answering) {
            a.put("gen_ai.usage.input_tokens", r.getPromptTokens())
                    .put("gen_ai.usage.output_tokens", r.getCompletionTokens())
                    .put("tollgate.cost_usd", java.math.BigDecimal.valueOf(r.getCostMicros(), 6).toPlainString());
            responseFacts(r, a);
        }
        if (!attempt.getServerAddress().isEmpty()) {
            a.put("server.address", attempt.getServerAddress());
            a.put("server.port", (long) attempt.getServerPort());
        } else if (answering && !r.getServerAddress().isEmpty()) {
            a.put("server.address", r.getServerAddress());
            a.put("server.port", (long) r.getServerPort());
        }
        if (failed) {
            a.put("error.type", attemptError(attempt));
        }
        return a.build();
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
        requestParams(r, a);
        responseFacts(r, a);
        if (!r.getServerAddress().isEmpty()) {
            a.put("server.address", r.getServerAddress());
            a.put("server.port", (long) r.getServerPort());
        }
        if (failed) {
            a.put("error.type", r.getErrorType().isEmpty() ? Integer.toString(r.getHttpStatus()) : r.getErrorType());
        }
        return a.build();
    }

    private static void requestParams(UsageRecord r, AttributesBuilder a) {
        if (r.hasRequestMaxTokens()) {
            a.put("gen_ai.request.max_tokens", r.getRequestMaxTokens());
        }
        if (r.hasRequestTemperature()) {
            a.put("gen_ai.request.temperature", r.getRequestTemperature());
        }
        if (r.hasRequestTopP()) {
            a.put("gen_ai.request.top_p", r.getRequestTopP());
        }
    }

    private static void responseFacts(UsageRecord r, AttributesBuilder a) {
        if (!r.getResponseId().isEmpty()) {
            a.put("gen_ai.response.id", r.getResponseId());
        }
        if (!r.getResponseModel().isEmpty()) {
            a.put("gen_ai.response.model", r.getResponseModel());
        }
        if (r.getFinishReasonsCount() > 0) {
            a.put(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), r.getFinishReasonsList());
        }
    }

    private static SpanContext context(String traceId, String spanId) {
        return SpanContext.create(traceId, spanId, TraceFlags.getSampled(), TraceState.getDefault());
    }
}
