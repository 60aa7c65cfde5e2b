package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayException;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.TokenUsage;
import dev.tollgate.sidecar.provider.anthropic.AnthropicErrors;
import dev.tollgate.sidecar.provider.anthropic.MessagesSurface;
import dev.tollgate.sidecar.provider.anthropic.SurfaceStream;
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
import java.time.Clock;

/**
 * {@code POST /v1/messages}: Anthropic's Messages API for any alias, whatever its provider. The request
 * is translated to an OpenAI chat request, served by the deployment's adapter like a chat completion,
 * and the answer (or each streamed chunk) translated back to Anthropic's message or events. Errors use
 * Anthropic's envelope with the gateway's HTTP status. Accepts any {@code anthropic-version}, and the
 * virtual key as {@code x-api-key} or a bearer token. Thread-safe.
 */
final class Messages implements Handler {

    private static final System.Logger LOG = System.getLogger(Messages.class.getName());

    private final Gate gate;
    private final UsageSink usage;
    private final Clock clock;
    private final String sidecarName;

    Messages(Gate gate, UsageSink usage, Clock clock, String sidecarName) {
        this.gate = gate;
        this.usage = usage;
        this.clock = clock;
        this.sidecarName = sidecarName;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        Exchange exchange = new Exchange(req, res, clock);
        exchange.errorShape = ErrorWriter.Shape.ANTHROPIC;
        try {
            Gate.Caller caller = gate.authenticate(req);
            ObjectNode body = gate.readJsonObject(req);
            String alias = Gate.requireModel(body);
            ObjectNode chat = MessagesSurface.toOpenAiRequest(body);
            RequestOverrides overrides = Gate.overrides(req, chat);
            exchange.admitted(gate.admit(caller, alias, chat), res);
            exchange.facts.request(chat);
            exchange.stream = chat.path("stream").asBoolean(false);
            if (exchange.stream) {
                stream(chat, overrides, alias, res, exchange);
            } else {
                Outcome<ProviderAdapter.ChatResponse> outcome = gate.call(exchange, overrides, a -> a.adapter().chat(
                        new ProviderCall(a.target(), a.deployment(), a.body(chat), exchange.requestId, false)),
                        ProviderAdapter.ChatResponse::usage);
                switch (outcome) {
                    case Outcome.Answered<ProviderAdapter.ChatResponse> ok -> {
                        exchange.answered(ok.attempt(), res);
                        exchange.facts.response(ok.value().body(), ok.value().tree());
                        exchange.usage = ok.value().usage();
                        byte[] message = MessagesSurface.toAnthropicResponse(ok.value().body(), alias, ok.value().usage());
                        exchange.firstByte();
                        exchange.status = 200;
                        res.header("x-tollgate-cost-usd", Pricing.usd(exchange.costMicros()));
                        res.header(HeaderNames.CONTENT_TYPE, "application/json");
                        res.send(message);
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

    private void stream(ObjectNode chat, RequestOverrides overrides, String alias, ServerResponse res,
                        Exchange exchange) {
        SseWriter sse = new SseWriter(res, exchange);
        SurfaceStream events = new SurfaceStream(alias, exchange.requestId, sse::event);
        Outcome<TokenUsage> outcome = gate.stream(exchange, overrides, events::chunk, a -> exchange.answered(a, res),
                (a, sink) -> a.adapter().streamChat(new ProviderCall(a.target(), a.deployment(), a.body(chat),
                        exchange.requestId, false), sink));
        try {
            switch (outcome) {
                case Outcome.Answered<TokenUsage> ok -> {
                    if (!sse.started()) {
                        exchange.answered(ok.attempt(), res);
                    }
                    exchange.usage = ok.value();
                    events.finish(exchange.usage);
                    exchange.status = 200;
                    sse.finish(new byte[0]);
                }
                case Outcome.Failed<TokenUsage> failed -> {
                    switch (failed.progress()) {
                        case NOTHING_SENT -> exchange.fail(res, failed.error());
                        case STREAM_STARTED -> {
                            // Headers are gone: end the stream with Anthropic's error event, as its SDKs expect.
                            exchange.failed(failed.error());
                            try {
                                sse.event("error", AnthropicErrors.envelope(failed.error()));
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
