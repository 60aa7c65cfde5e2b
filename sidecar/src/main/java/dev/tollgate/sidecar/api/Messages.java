package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayException;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.anthropic.AnthropicErrors;
import dev.tollgate.sidecar.provider.anthropic.MessagesSurface;
import dev.tollgate.sidecar.provider.anthropic.SurfaceStream;
import dev.tollgate.sidecar.usage.Pricing;
import io.helidon.http.HeaderNames;
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
            ObjectNode body = Gate.readJsonObject(req);
            String alias = Gate.requireModel(body);
            ObjectNode chat = MessagesSurface.toOpenAiRequest(body);
            exchange.admitted(gate.admit(caller, alias), res);
            exchange.facts.request(chat);
            exchange.stream = chat.path("stream").asBoolean(false);
            Gate.Admission a = exchange.admission;
            chat.put("model", a.deployment().getModel());
            ProviderCall call = new ProviderCall(a.target(), a.deployment(), chat, exchange.requestId, false);
            if (exchange.stream) {
                exchange.providerStarted();
                stream(a.adapter(), call, alias, res, exchange);
            } else {
                exchange.providerStarted();
                ProviderAdapter.ChatResponse response = a.adapter().chat(call);
                exchange.providerEnded();
                exchange.facts.response(response.body());
                exchange.usage = response.usage();
                byte[] message = MessagesSurface.toAnthropicResponse(response.body(), alias, response.usage());
                exchange.firstByte();
                exchange.status = 200;
                res.header("x-tollgate-cost-usd", Pricing.usd(exchange.costMicros()));
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.send(message);
            }
        } catch (GatewayException e) {
            exchange.fail(res, e.error());
        } catch (UncheckedIOException e) {
            // The client went away mid-response; nothing more can be sent.
            exchange.status = 499;
            exchange.errorType = "client_closed";
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request " + exchange.requestId + " failed unexpectedly", e);
            exchange.fail(res, Failures.internal(exchange.requestId));
        } finally {
            exchange.record(usage, sidecarName);
        }
    }

    private static void stream(ProviderAdapter adapter, ProviderCall call, String alias, ServerResponse res,
                               Exchange exchange) {
        SseWriter sse = new SseWriter(res, exchange);
        SurfaceStream events = new SurfaceStream(alias, exchange.requestId, sse::event);
        try {
            exchange.usage = adapter.streamChat(call, events::chunk);
            events.finish(exchange.usage);
            exchange.status = 200;
            sse.finish(new byte[0]);
        } catch (GatewayException e) {
            if (!sse.started()) {
                throw e;
            }
            // Headers are gone: end the stream with Anthropic's error event, as its SDKs expect.
            exchange.failed(e.error());
            try {
                sse.event("error", AnthropicErrors.envelope(e.error()));
            } catch (IOException ignored) {
                // client gone too
            }
            sse.closeQuietly();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
