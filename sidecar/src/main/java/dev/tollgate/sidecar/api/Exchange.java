package dev.tollgate.sidecar.api;

import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.TokenUsage;
import dev.tollgate.sidecar.telemetry.GenAiFacts;
import dev.tollgate.sidecar.usage.Pricing;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.UUID;

/**
 * One proxied request from arrival to its usage record: id, trace, timing, where it went and
 * what it consumed. Confined to the request's thread.
 */
final class Exchange {

    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

    final String requestId = UUID.randomUUID().toString();
    final Trace trace;
    final long startedMs;
    final long startedNanos = System.nanoTime();
    Gate.Admission admission;
    boolean stream;
    TokenUsage usage = TokenUsage.NONE;
    int status;
    String errorType = "";
    long ttftNanos;
    /** Whether response headers have gone out (a stream started): errors must then go in-band. */
    boolean committed;
    /** GenAI facts for the trace (operation, parameters, response id/model, finish reasons). */
    final GenAiFacts facts = new GenAiFacts();
    private final String route;
    private long providerStartNanos;
    private long providerEndNanos;
    /** The error envelope this route answers with. */
    ErrorWriter.Shape errorShape = ErrorWriter.Shape.OPENAI;

    Exchange(ServerRequest req, ServerResponse res, Clock clock) {
        this.startedMs = clock.millis();
        this.route = req.path().path();
        this.trace = Trace.from(req.headers().first(HeaderNames.create("traceparent")).orElse(null));
        res.header("x-tollgate-request-id", requestId);
        res.header("traceparent", trace.traceparent());
    }

    /** Records where the request goes and says so in the response headers. */
    void admitted(Gate.Admission a, ServerResponse res) {
        admission = a;
        res.header("x-tollgate-alias", a.alias());
        res.header("x-tollgate-deployment", a.deployment().getId());
        res.header("x-tollgate-attempts", "1");
    }

    /** Marks the start of the provider call (the client span). */
    void providerStarted() {
        providerStartNanos = System.nanoTime();
    }

    /** Marks the end of the provider call; for streams, when the last chunk was relayed. */
    void providerEnded() {
        if (providerStartNanos != 0 && providerEndNanos == 0) {
            providerEndNanos = System.nanoTime();
        }
    }

    void firstByte() {
        if (ttftNanos == 0) {
            ttftNanos = System.nanoTime() - startedNanos;
        }
    }

    long costMicros() {
        return admission == null ? 0
                : Pricing.costMicros(admission.deployment(), usage.promptTokens(), usage.completionTokens());
    }

    void failed(GatewayError error) {
        status = error.status();
        errorType = error.code();
    }

    /** Writes the error unless a stream already started (then the caller wrote it in-band). */
    void fail(ServerResponse res, GatewayError error) {
        failed(error);
        if (!committed && !res.isSent()) {
            ErrorWriter.write(res, error, errorShape);
        }
    }

    /** Sends this exchange's usage record to the sink, if it reached a deployment. */
    void record(UsageSink sink, String sidecarName) {
        if (admission == null) {
            return;
        }
        if (status == 0) {
            status = 500;
        }
        providerEnded();
        long now = System.nanoTime();
        UsageRecord.Builder record = UsageRecord.newBuilder()
                .setId(requestId)
                .setKeyId(admission.caller().grant().keyId())
                .setAlias(admission.alias())
                .setDeploymentId(admission.deployment().getId())
                .setProvider(admission.deployment().getProvider())
                .setModel(admission.deployment().getModel())
                .setPromptTokens(usage.promptTokens())
                .setCompletionTokens(usage.completionTokens())
                .setCachedTokens(usage.cachedTokens())
                .setCostMicros(costMicros())
                .setLatencyMs((now - startedNanos) / 1_000_000)
                .setDurationUs((now - startedNanos) / 1_000)
                .setTtftMs(ttftNanos / 1_000_000)
                .setHttpStatus(status)
                .setErrorType(errorType)
                .setAttempts(1)
                .setStartedAtMs(startedMs)
                .setStream(stream)
                .setSidecarName(sidecarName)
                .setTraceId(trace.traceId())
                .setSpanId(trace.spanId())
                .setParentSpanId(trace.parentSpanId())
                .setKeyAlias(admission.caller().grant().keyAlias())
                .setRoute(route);
        facts.into(record);
        if (providerStartNanos != 0) {
            record.setProviderSpanId(Trace.newSpanId())
                    .setProviderStartOffsetUs((providerStartNanos - startedNanos) / 1_000)
                    .setProviderDurationUs((providerEndNanos - providerStartNanos) / 1_000);
        }
        Endpoint.of(admission.deployment().getApiBase()).ifPresent(e ->
                record.setServerAddress(e.host()).setServerPort(e.port()));
        try {
            sink.record(record.build());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "usage record " + requestId + " could not be spooled: " + e.getMessage());
        }
    }
}
