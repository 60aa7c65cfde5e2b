package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.failure.GatewayException;
import dev.tollgate.sidecar.policy.Policy;
import dev.tollgate.sidecar.policy.PolicyHolder;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.Providers;
import dev.tollgate.sidecar.provider.TokenUsage;
import dev.tollgate.sidecar.usage.Pricing;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * {@code POST /v1/chat/completions}: authenticate, validate, resolve the alias, rewrite
 * {@code model}, call the provider (streamed chunks are relayed as they arrive, never buffered),
 * and record usage. Thread-safe; each request runs on its own virtual thread.
 */
final class ChatCompletions implements Handler {

    private static final System.Logger LOG = System.getLogger(ChatCompletions.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final PolicyHolder policies;
    private final Authenticator auth;
    private final Providers providers;
    private final UsageSink usage;
    private final Clock clock;
    private final String sidecarName;

    ChatCompletions(PolicyHolder policies, Authenticator auth, Providers providers, UsageSink usage, Clock clock,
                    String sidecarName) {
        this.policies = policies;
        this.auth = auth;
        this.providers = providers;
        this.usage = usage;
        this.clock = clock;
        this.sidecarName = sidecarName;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        long startedMs = clock.millis();
        long startedNanos = System.nanoTime();
        String requestId = UUID.randomUUID().toString();
        Trace trace = Trace.from(req.headers().first(HeaderNames.create("traceparent")).orElse(null));
        res.header("x-tollgate-request-id", requestId);
        res.header("traceparent", trace.traceparent());
        Attempt attempt = null;
        try {
            Policy policy = policies.current().orElseThrow(() -> Failures.noPolicy().exception());
            Policy.KeyGrant grant = auth.authenticate(req, policy);
            ObjectNode body = parse(req);
            String alias = requireModel(body);
            requireMessages(body);
            List<Deployment> deployments = policy.alias(alias).orElseThrow(() ->
                    Failures.unknownAlias(alias, grant.usableAliases(policy)).exception());
            if (!grant.mayUse(alias)) {
                throw Failures.aliasNotAllowed(alias, grant.keyAlias(), grant.usableAliases(policy)).exception();
            }
            Deployment deployment = deployments.get(0);
            Failures.Target target = new Failures.Target(alias, deployment.getId(), deployment.getProvider());
            res.header("x-tollgate-alias", alias);
            res.header("x-tollgate-deployment", deployment.getId());
            res.header("x-tollgate-attempts", "1");
            boolean stream = body.path("stream").asBoolean(false);
            attempt = new Attempt(grant, target, deployment, stream);
            ProviderAdapter adapter = providers.forPrefix(deployment.getProvider()).orElseThrow(() ->
                    Failures.unknownProvider(target, providers.prefixes()).exception());
            String credentialError = deployment.getParamsOrDefault("tollgate_credential_error", "");
            if (!credentialError.isEmpty()) {
                throw Failures.missingCredential(target, credentialError).exception();
            }
            body.put("model", deployment.getModel());
            boolean wantsUsage = body.path("stream_options").path("include_usage").asBoolean(false);
            ProviderCall call = new ProviderCall(target, deployment, body, requestId, wantsUsage);
            if (stream) {
                attempt.usage = relayStream(adapter, call, res, attempt);
            } else {
                ProviderAdapter.ChatResponse response = adapter.chat(call);
                attempt.usage = response.usage();
                attempt.ttftNanos = System.nanoTime() - startedNanos;
                res.header("x-tollgate-cost-usd", Pricing.usd(attempt.costMicros()));
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.send(response.body());
            }
            attempt.status = 200;
        } catch (GatewayException e) {
            fail(res, attempt, e.error());
        } catch (UncheckedIOException e) {
            // The client went away mid-response; nothing more can be sent.
            if (attempt != null) {
                attempt.status = 499;
                attempt.errorType = "client_closed";
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request " + requestId + " failed unexpectedly", e);
            fail(res, attempt, Failures.internal(requestId));
        } finally {
            if (attempt != null) {
                record(requestId, attempt, trace, startedMs, startedNanos);
            }
        }
    }

    /** Per-request facts gathered for the usage record. */
    private static final class Attempt {
        final Policy.KeyGrant grant;
        final Failures.Target target;
        final Deployment deployment;
        final boolean stream;
        TokenUsage usage = TokenUsage.NONE;
        int status;
        String errorType = "";
        long ttftNanos;
        boolean committed;

        Attempt(Policy.KeyGrant grant, Failures.Target target, Deployment deployment, boolean stream) {
            this.grant = grant;
            this.target = target;
            this.deployment = deployment;
            this.stream = stream;
        }

        long costMicros() {
            return Pricing.costMicros(deployment, usage.promptTokens(), usage.completionTokens());
        }
    }

    private TokenUsage relayStream(ProviderAdapter adapter, ProviderCall call, ServerResponse res, Attempt attempt)
            throws GatewayException {
        long started = System.nanoTime();
        OutputStream[] out = new OutputStream[1];
        try {
            TokenUsage used = adapter.streamChat(call, chunk -> {
                if (out[0] == null) {
                    // First chunk: only now are the status and headers committed, so that an
                    // error before it can still be a proper HTTP error.
                    attempt.ttftNanos = System.nanoTime() - started;
                    attempt.committed = true;
                    res.status(Status.OK_200);
                    res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
                    res.header(HeaderNames.CACHE_CONTROL, "no-cache");
                    out[0] = res.outputStream();
                }
                out[0].write(DATA);
                out[0].write(chunk);
                out[0].write(EVENT_END);
                out[0].flush();
            });
            if (out[0] == null) {
                res.status(Status.OK_200);
                res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
                out[0] = res.outputStream();
                attempt.committed = true;
            }
            out[0].write(DONE);
            out[0].close();
            return used;
        } catch (GatewayException e) {
            if (out[0] == null) {
                throw e;
            }
            // Headers are gone: end the stream with an error event the SDKs understand.
            attempt.status = e.error().status();
            attempt.errorType = e.error().code();
            writeQuietly(out[0], e.error());
            return attempt.usage;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeQuietly(OutputStream out, GatewayError error) {
        try {
            out.write(DATA);
            out.write(ErrorWriter.envelope(error));
            out.write(EVENT_END);
            out.close();
        } catch (IOException ignored) {
            // client gone too
        }
    }

    private static void fail(ServerResponse res, Attempt attempt, GatewayError error) {
        if (attempt != null) {
            attempt.status = error.status();
            attempt.errorType = error.code();
            if (attempt.committed) {
                return;
            }
        }
        if (!res.isSent()) {
            ErrorWriter.write(res, error);
        }
    }

    private void record(String requestId, Attempt a, Trace trace, long startedMs, long startedNanos) {
        if (a.status == 0) {
            a.status = 500;
        }
        long latencyMs = (System.nanoTime() - startedNanos) / 1_000_000;
        UsageRecord record = UsageRecord.newBuilder()
                .setId(requestId)
                .setKeyId(a.grant.keyId())
                .setAlias(a.target.alias())
                .setDeploymentId(a.target.deploymentId())
                .setProvider(a.target.provider())
                .setModel(a.deployment.getModel())
                .setPromptTokens(a.usage.promptTokens())
                .setCompletionTokens(a.usage.completionTokens())
                .setCachedTokens(a.usage.cachedTokens())
                .setCostMicros(a.costMicros())
                .setLatencyMs(latencyMs)
                .setTtftMs(a.ttftNanos / 1_000_000)
                .setHttpStatus(a.status)
                .setErrorType(a.errorType)
                .setAttempts(1)
                .setStartedAtMs(startedMs)
                .setStream(a.stream)
                .setSidecarName(sidecarName)
                .setTraceId(trace.traceId())
                .setSpanId(trace.spanId())
                .build();
        try {
            usage.record(record);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "usage record " + requestId + " could not be spooled: " + e.getMessage());
        }
    }

    private static ObjectNode parse(ServerRequest req) {
        byte[] bytes = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        if (bytes.length == 0) {
            throw Failures.malformedJson("the body is empty; send a JSON object with model and messages").exception();
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw Failures.malformedJson(e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr()).exception();
        } catch (IOException e) {
            throw Failures.malformedJson("unreadable body").exception();
        }
        if (node == null || !node.isObject()) {
            throw Failures.malformedJson("expected a JSON object at the top level").exception();
        }
        return (ObjectNode) node;
    }

    private static String requireModel(ObjectNode body) {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw Failures.badField("model", "Missing required field 'model': name the model alias to use.").exception();
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw Failures.badField("model", "Field 'model' must be a non-empty string (a model alias).").exception();
        }
        return model.asText();
    }

    private static void requireMessages(ObjectNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw Failures.badField("messages", "Missing required field 'messages': a non-empty list of "
                    + "{role, content} objects.").exception();
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw Failures.badField("messages", "Field 'messages' must be a non-empty list of {role, content} objects.")
                    .exception();
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw Failures.badField("messages[" + i + "]", "messages[" + i + "] must be an object with a string 'role'.")
                        .exception();
            }
        }
    }
}
