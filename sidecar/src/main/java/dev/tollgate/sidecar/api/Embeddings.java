package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayException;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.routing.Outcome;
import dev.tollgate.sidecar.routing.RequestOverrides;
import dev.tollgate.sidecar.usage.Pricing;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.UncheckedIOException;
import java.time.Clock;

/** {@code POST /v1/embeddings}: admit, let the router call deployments ({@code model} rewritten), record usage. Thread-safe. */
final class Embeddings implements Handler {

    private static final System.Logger LOG = System.getLogger(Embeddings.class.getName());

    private final Gate gate;
    private final UsageSink usage;
    private final Clock clock;
    private final String sidecarName;

    Embeddings(Gate gate, UsageSink usage, Clock clock, String sidecarName) {
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
            requireInput(body);
            RequestOverrides overrides = Gate.overrides(req, body);
            exchange.admitted(gate.admit(caller, alias, body), res);
            exchange.facts.operation("embeddings");
            Outcome<ProviderAdapter.EmbeddingResponse> outcome = gate.call(exchange, overrides, a -> a.adapter().embed(
                    new ProviderCall(a.target(), a.deployment(), a.body(body), exchange.requestId, false)),
                    ProviderAdapter.EmbeddingResponse::usage);
            switch (outcome) {
                case Outcome.Answered<ProviderAdapter.EmbeddingResponse> ok -> {
                    exchange.answered(ok.attempt(), res);
                    exchange.usage = ok.value().usage();
                    exchange.firstByte();
                    exchange.status = 200;
                    res.header("x-tollgate-cost-usd", Pricing.usd(exchange.costMicros()));
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(ok.value().body());
                }
                case Outcome.Failed<ProviderAdapter.EmbeddingResponse> failed -> exchange.fail(res, failed.error());
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

    static void requireInput(ObjectNode body) {
        JsonNode input = body.get("input");
        boolean ok = input != null && (input.isTextual() && !input.asText().isEmpty()
                || input.isArray() && !input.isEmpty());
        if (!ok) {
            throw Failures.badField("input", "Field 'input' is required: a non-empty string or list of strings "
                    + "(or token arrays).").exception();
        }
    }
}
