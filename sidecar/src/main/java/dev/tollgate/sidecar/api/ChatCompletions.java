package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayException;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.TokenUsage;
import dev.tollgate.sidecar.routing.Outcome;
import dev.tollgate.sidecar.routing.RequestOverrides;
import dev.tollgate.sidecar.usage.Pricing;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * {@code POST /v1/chat/completions}: admit, let the router call deployments (with {@code model}
 * rewritten for each; streamed chunks are relayed as they arrive, never buffered), record usage.
 * Thread-safe; each request runs on its own virtual thread.
 */
final class ChatCompletions implements Handler {

    private static final System.Logger LOG = System.getLogger(ChatCompletions.class.getName());
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Gate gate;
    private final UsageSink usage;
    private final Clock clock;
    private final String sidecarName;

    ChatCompletions(Gate gate, UsageSink usage, Clock clock, String sidecarName) {
        this.gate = gate;
        this.usage = usage;
        this.clock = clock;
        this.sidecarName = sidecarName;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        Exchange exchange = new Exchange(req, res, clock);
        try {
            Gate.Caller caller = gate.authenticate(req);
            ObjectNode body = gate.readJsonObject(req);
            String alias = Gate.requireModel(body);
            RequestChecks.chat(body);
            RequestOverrides overrides = Gate.overrides(req, body);
            exchange.admitted(gate.admit(caller, alias, body), res);
            exchange.facts.request(body);
            exchange.stream = body.path("stream").asBoolean(false);
            boolean wantsUsage = body.path("stream_options").path("include_usage").asBoolean(false);
            if (exchange.stream) {
                relayStream(body, overrides, wantsUsage, res, exchange);
            } else {
                Outcome<ProviderAdapter.ChatResponse> outcome = gate.call(exchange, overrides, a -> a.adapter().chat(
                        new ProviderCall(a.target(), a.deployment(), a.body(body), exchange.requestId, wantsUsage)),
                        ProviderAdapter.ChatResponse::usage);
                switch (outcome) {
                    case Outcome.Answered<ProviderAdapter.ChatResponse> ok -> {
                        exchange.answered(ok.attempt(), res);
                        exchange.facts.response(ok.value().body(), ok.value().tree());
                        exchange.usage = ok.value().usage();
                        exchange.firstByte();
                        exchange.status = 200;
                        res.header("x-tollgate-cost-usd", Pricing.usd(exchange.costMicros()));
                        res.header(HeaderNames.CONTENT_TYPE, "application/json");
                        res.send(ok.value().body());
                    }
                    case Outcome.Failed<ProviderAdapter.ChatResponse> failed -> exchange.fail(res, failed.error());
                }
            }
        } catch (GatewayException e) {
            exchange.fail(res, e.error());
        } catch (UncheckedIOException | CloseConnectionException e) {
            exchange.clientClosed();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request " + exchange.requestId + " failed unexpectedly", e);
            exchange.fail(res, Failures.internal(exchange.requestId));
        } finally {
            exchange.record(usage, sidecarName);
        }
    }

    private void relayStream(ObjectNode body, RequestOverrides overrides, boolean wantsUsage, ServerResponse res,
                             Exchange exchange) {
        SseWriter sse = new SseWriter(res, exchange);
        Outcome<TokenUsage> outcome = gate.stream(exchange, overrides, chunk -> {
                    exchange.facts.chunk(chunk);
                    sse.data(chunk);
                }, a -> exchange.answered(a, res),
                (a, sink) -> a.adapter().streamChat(new ProviderCall(a.target(), a.deployment(), a.body(body),
                        exchange.requestId, wantsUsage), sink));
        try {
            switch (outcome) {
                case Outcome.Answered<TokenUsage> ok -> {
                    if (!sse.started()) {
                        exchange.answered(ok.attempt(), res);
                    }
                    exchange.usage = ok.value();
                    exchange.status = 200;
                    sse.finish(DONE);
                }
                case Outcome.Failed<TokenUsage> failed -> {
                    switch (failed.progress()) {
                        case NOTHING_SENT -> exchange.fail(res, failed.error());
                        case STREAM_STARTED -> {
                            // Headers are gone: end the stream with an error event the SDKs understand.
                            exchange.failed(failed.error());
                            try {
                                sse.data(ErrorWriter.envelope(failed.error()));
                            } catch (IOException ignored) {
                                // client gone too
                            }
                            sse.closeQuietly();
                        }
                        case CLIENT_GONE -> exchange.clientClosed();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
