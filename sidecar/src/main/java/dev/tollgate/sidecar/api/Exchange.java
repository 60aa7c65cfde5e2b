package dev.tollgate.sidecar.api;

import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.TokenUsage;
import dev.tollgate.sidecar.routing.Attempt;
import dev.tollgate.sidecar.routing.AttemptRecord;
import dev.tollgate.sidecar.routing.RouteLog;
import dev.tollgate.sidecar.usage.Pricing;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * One proxied request from arrival to its usage record: id, trace, timing, where it went and
 * what it consumed. Confined to the request's thread, except that a streaming attempt's thread
 * calls {@link #answered} and {@link #firstByte} while the request thread waits for it.
 */
final class Exchange {

    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

    final String requestId = UUID.randomUUID().toString();
    final Trace trace;
    final long startedMs;
    final long startedNanos = System.nanoTime();
    Gate.Admission admission;
    /** Every provider call the router made for this request. */
    final RouteLog route = new RouteLog();
    /** The attempt that answered (or whose stream started), if any. */
    Attempt answer;
    boolean stream;
    TokenUsage usage = TokenUsage.NONE;
    int status;
    String errorType = "";
    long ttftNanos;
    /** Whether response headers have gone out (a stream started): errors must then go in-band. */
    boolean committed;
    /** The error envelope this route answers with. */
    ErrorWriter.Shape errorShape = ErrorWriter.Shape.OPENAI;

    Exchange(ServerRequest req, ServerResponse res, Clock clock) {
        this.startedMs = clock.millis();
        this.trace = Trace.from(req.headers().first(HeaderNames.create("traceparent")).orElse(null));
        res.header("x-tollgate-request-id", requestId);
        res.header("traceparent", trace.traceparent());
    }

    /** Records the alias the request was admitted to and says so in the response headers. */
    void admitted(Gate.Admission a, ServerResponse res) {
        admission = a;
        res.header("x-tollgate-alias", a.alias());
    }

    /**
     * Records the attempt that answers and says so in the headers, before anything is sent:
     * {@code x-tollgate-alias} becomes the alias that answered, and {@code x-tollgate-fallback-from}
     * names the one asked for when they differ.
     */
    void answered(Attempt a, ServerResponse res) {
        answer = a;
        res.header("x-tollgate-alias", a.alias());
        res.header("x-tollgate-deployment", a.deployment().getId());
        res.header("x-tollgate-attempts", Integer.toString(a.number()));
        if (!a.alias().equals(admission.alias())) {
            res.header("x-tollgate-fallback-from", admission.alias());
        }
    }

    void firstByte() {
        if (ttftNanos == 0) {
            ttftNanos = System.nanoTime() - startedNanos;
        }
    }

    long costMicros() {
        return answer == null ? 0
                : Pricing.costMicros(answer.deployment(), usage.promptTokens(), usage.completionTokens());
    }

    void failed(GatewayError error) {
        status = error.status();
        errorType = error.code();
    }

    /** Writes the error unless a stream already started (then the caller wrote it in-band). */
    void fail(ServerResponse res, GatewayError error) {
        failed(error);
        if (!committed && !res.isSent()) {
            if (admission != null) {
                route.lastDeployment().ifPresent(d -> res.header("x-tollgate-deployment", d.getId()));
                res.header("x-tollgate-attempts", Integer.toString(route.count()));
            }
            ErrorWriter.write(res, error, errorShape);
        }
    }

    /**
     * Sends this exchange's usage record to the sink, if it was admitted to an alias. Alias and
     * deployment are the ones that answered (else the last tried); {@code fallback_from} names the
     * alias asked for when they belong to a fallback.
     */
    void record(UsageSink sink, String sidecarName) {
        if (admission == null) {
            return;
        }
        if (status == 0) {
            status = 500;
        }
        Optional<Deployment> deployment = answer != null ? Optional.of(answer.deployment()) : route.lastDeployment();
        String alias = answer != null ? answer.alias() : route.lastAlias().orElse(admission.alias());
        UsageRecord record = UsageRecord.newBuilder()
                .setId(requestId)
                .setKeyId(admission.caller().grant().keyId())
                .setAlias(alias)
                .setFallbackFrom(alias.equals(admission.alias()) ? "" : admission.alias())
                .setDeploymentId(deployment.map(Deployment::getId).orElse(""))
                .setProvider(deployment.map(Deployment::getProvider).orElse(""))
                .setModel(deployment.map(Deployment::getModel).orElse(""))
                .setPromptTokens(usage.promptTokens())
                .setCompletionTokens(usage.completionTokens())
                .setCachedTokens(usage.cachedTokens())
                .setCostMicros(costMicros())
                .setLatencyMs((System.nanoTime() - startedNanos) / 1_000_000)
                .setTtftMs(ttftNanos / 1_000_000)
                .setHttpStatus(status)
                .setErrorType(errorType)
                .setAttempts(route.count())
                .addAllRouterAttempts(route.attempts().stream().map(AttemptRecord::toProto).toList())
                .setStartedAtMs(startedMs)
                .setStream(stream)
                .setSidecarName(sidecarName)
                .setTraceId(trace.traceId())
                .setSpanId(trace.spanId())
                .build();
        try {
            sink.record(record);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "usage record " + requestId + " could not be spooled: " + e.getMessage());
        }
    }
}
