package dev.tollgate.sidecar.api;

import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.RouterAttempt;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.TokenUsage;
import dev.tollgate.sidecar.routing.Attempt;
import dev.tollgate.sidecar.routing.AttemptRecord;
import dev.tollgate.sidecar.routing.RouteLog;
import dev.tollgate.sidecar.telemetry.GenAiFacts;
import dev.tollgate.sidecar.usage.Pricing;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One proxied request from arrival to its usage record: id, trace, timing, where it went and
 * what it consumed. Confined to the request's thread, except that a streaming attempt's thread
 * calls {@link #answered}, {@link #firstByte} and {@code facts.chunk} while the request thread
 * waits for it.
 */
final class Exchange {

    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

    private static final io.helidon.http.HeaderName DEBUG = HeaderNames.create("x-tollgate-debug");
    private static final io.helidon.http.HeaderName TRACEPARENT = HeaderNames.create("traceparent");

    final String requestId = newRequestId();
    final Trace trace;
    final long startedMs;
    final long startedNanos = System.nanoTime();
    Gate.Admission admission;
    /** Every provider call the router made for this request, each with its own client span. */
    final RouteLog route = new RouteLog(startedNanos, Trace::newSpanId);
    /** The attempt that answered (or whose stream started), if any. */
    Attempt answer;
    boolean stream;
    TokenUsage usage = TokenUsage.NONE;
    int status;
    String errorType = "";
    long ttftNanos;
    /** Whether response headers have gone out (a stream started): errors must then go in-band. */
    boolean committed;
    /** GenAI facts for the trace (operation, parameters, response id/model, finish reasons). */
    final GenAiFacts facts = new GenAiFacts();
    /** The client asked for {@code x-tollgate-debug: true} (honoured only when its key allows it). */
    final boolean debugAsked;
    /** The route the client called ("/v1/chat/completions", ...). */
    private final String path;
    /** The error envelope this route answers with. */
    ErrorWriter.Shape errorShape = ErrorWriter.Shape.OPENAI;

    Exchange(ServerRequest req, ServerResponse res, Clock clock) {
        this.startedMs = clock.millis();
        this.path = req.path().path();
        this.debugAsked = req.headers().first(DEBUG).map(v -> v.strip().equalsIgnoreCase("true")).orElse(false);
        this.trace = Trace.from(req.headers().first(TRACEPARENT).orElse(null));
        res.header("x-tollgate-request-id", requestId);
        res.header("traceparent", trace.traceparent());
    }

    /** Records the alias the request was admitted to and says so, with its limits, in the response headers. */
    void admitted(Gate.Admission a, ServerResponse res) {
        admission = a;
        res.header("x-tollgate-alias", a.alias());
        a.limits().headers().forEach(res::header);
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

    /**
     * A random (version 4) UUID. Request ids correlate logs, usage rows and traces; they grant
     * nothing, so they come from the thread's fast generator, not {@code SecureRandom}, which
     * {@code UUID.randomUUID()} serialises every request through.
     */
    static String newRequestId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }

    void firstByte() {
        if (ttftNanos == 0) {
            ttftNanos = System.nanoTime() - startedNanos;
        }
    }

    long costMicros() {
        return answer == null ? 0 : Pricing.costMicros(answer.deployment(), usage);
    }

    /** The client went away mid-response: nothing more can be sent, and the record says so. */
    void clientClosed() {
        status = 499;
        errorType = "client_closed";
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
     * Settles the request's limits with its final cost and sends its usage record to the sink, if
     * it was admitted to an alias. Alias and deployment are the ones that answered (else the last
     * tried); {@code fallback_from} names the alias asked for when they belong to a fallback. Each
     * attempt carries its own client span; the record's provider span fields repeat the answering
     * (else the last) attempt's, for readers that know only one provider call.
     */
    void record(UsageSink sink, String sidecarName) {
        if (admission == null) {
            return;
        }
        if (status == 0) {
            status = 500;
        }
        long cost = costMicros();
        admission.limits().settle(cost, usage.promptTokens() + usage.completionTokens());
        long now = System.nanoTime();
        Optional<Deployment> deployment = answer != null ? Optional.of(answer.deployment()) : route.lastDeployment();
        String alias = answer != null ? answer.alias() : route.lastAlias().orElse(admission.alias());
        List<AttemptRecord> attempts = route.attempts();
        UsageRecord.Builder record = UsageRecord.newBuilder()
                .setId(requestId)
                .setKeyId(admission.caller().grant().keyId())
                .setTeamId(admission.caller().grant().teamId())
                .setUserId(admission.caller().grant().userId())
                .setAlias(alias)
                .setFallbackFrom(alias.equals(admission.alias()) ? "" : admission.alias())
                .setDeploymentId(deployment.map(Deployment::getId).orElse(""))
                .setProvider(deployment.map(Deployment::getProvider).orElse(""))
                .setModel(deployment.map(Deployment::getModel).orElse(""))
                .setPromptTokens(usage.promptTokens())
                .setCompletionTokens(usage.completionTokens())
                .setCachedTokens(usage.cachedTokens())
                .setCostMicros(cost)
                .setLatencyMs((now - startedNanos) / 1_000_000)
                .setDurationUs((now - startedNanos) / 1_000)
                .setTtftMs(ttftNanos / 1_000_000)
                .setHttpStatus(status)
                .setErrorType(errorType)
                .setAttempts(route.count())
                .setStartedAtMs(startedMs)
                .setStream(stream)
                .setSidecarName(sidecarName)
                .setTraceId(trace.traceId())
                .setSpanId(trace.spanId())
                .setParentSpanId(trace.parentSpanId())
                .setKeyAlias(admission.caller().grant().keyAlias())
                .setRoute(path);
        for (AttemptRecord a : attempts) {
            RouterAttempt.Builder attempt = a.toProto().toBuilder();
            Endpoint.of(a.apiBase()).ifPresent(e -> attempt.setServerAddress(e.host()).setServerPort(e.port()));
            record.addRouterAttempts(attempt);
        }
        facts.into(record);
        Optional<AttemptRecord> provider = attempts.stream().filter(AttemptRecord::succeeded)
                .reduce((first, second) -> second).or(() -> attempts.stream().reduce((first, second) -> second));
        provider.ifPresent(a -> record.setProviderSpanId(a.spanId())
                .setProviderStartOffsetUs(a.startOffsetUs())
                .setProviderDurationUs(a.durationUs()));
        deployment.flatMap(d -> Endpoint.of(d.getApiBase())).ifPresent(e ->
                record.setServerAddress(e.host()).setServerPort(e.port()));
        try {
            sink.record(record.build());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "usage record " + requestId + " could not be spooled: " + e.getMessage());
        }
    }
}
