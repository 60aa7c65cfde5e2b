package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.Json;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.limits.Limiter;
import dev.tollgate.sidecar.limits.Ticket;
import dev.tollgate.sidecar.policy.Policy;
import dev.tollgate.sidecar.policy.PolicyHolder;
import dev.tollgate.sidecar.provider.ProviderAdapter.ChunkSink;
import dev.tollgate.sidecar.provider.TokenUsage;
import dev.tollgate.sidecar.provider.UpstreamDebug;
import dev.tollgate.sidecar.routing.Attempt;
import dev.tollgate.sidecar.routing.Outcome;
import dev.tollgate.sidecar.routing.RequestOverrides;
import dev.tollgate.sidecar.routing.Router;
import dev.tollgate.sidecar.shutdown.Drain;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What every proxied route does before a provider is called, in this order: policy present,
 * virtual key valid, body a JSON object, alias known and allowed, budgets and rate limits reserved
 * (last, so nothing refused earlier holds a reservation; once per request, not per attempt); then
 * hands the request to the {@link Router}, which picks deployments and runs the attempts. Each
 * refusal is a {@link dev.tollgate.sidecar.failure.GatewayException}. Thread-safe.
 */
final class Gate {

    static final ObjectMapper JSON = Json.mapper();

    private final PolicyHolder policies;
    private final Authenticator auth;
    private final Router router;
    private final Limiter limiter;
    private final UpstreamDebug.Mode debug;
    private final Drain drain;
    private final java.time.Duration bodyDeadline;

    Gate(PolicyHolder policies, Authenticator auth, Router router, Limiter limiter, UpstreamDebug.Mode debug,
         Drain drain, java.time.Duration bodyDeadline) {
        this.drain = drain;
        this.bodyDeadline = bodyDeadline;
        this.policies = policies;
        this.auth = auth;
        this.router = router;
        this.limiter = limiter;
        this.debug = debug;
    }

    /** The authenticated caller and the policy it was checked against. */
    record Caller(Policy policy, Policy.KeyGrant grant) {
        List<String> usableAliases() {
            return grant.usableAliases(policy);
        }
    }

    /**
     * An admitted request: the alias it asked for (after the key's {@code aliases} and
     * router_settings.model_group_alias), and what it holds under its key's limits until
     * {@link Exchange#record} settles it. Which deployment serves it is the router's choice.
     */
    record Admission(Caller caller, String alias, Ticket limits) {
    }

    Caller authenticate(ServerRequest req) {
        Policy policy = policies.current().orElseThrow(() -> Failures.noPolicy().exception());
        return new Caller(policy, auth.authenticate(req, policy));
    }

    /**
     * Checks that this caller may use the alias and reserves its limits. Without the body the
     * budget estimate has no bound, so on a budgeted key such requests run one at a time per
     * sidecar: handlers should pass the body.
     */
    Admission admit(Caller caller, String requested) {
        return admit(caller, requested, null);
    }

    /**
     * As {@link #admit(Caller, String)}, estimating the request's cost from {@code body} on the most
     * expensive deployment the router may send it to (the alias's and its fallbacks').
     */
    Admission admit(Caller caller, String requested, ObjectNode body) {
        String keyAlias = caller.grant().resolveAlias(requested);
        String alias = caller.policy().routerSettings().getModelGroupAliasOrDefault(keyAlias, keyAlias);
        caller.policy().alias(alias).orElseThrow(() ->
                Failures.unknownAlias(alias, caller.usableAliases()).exception());
        if (!caller.grant().mayUse(alias)) {
            throw Failures.aliasNotAllowed(alias, caller.grant().keyAlias(), caller.usableAliases()).exception();
        }
        List<Deployment> reachable = router.reachable(caller.policy(), alias, caller.grant());
        return new Admission(caller, alias, limiter.admit(caller.grant(), alias, reachable, body));
    }

    /**
     * The router's per-request headers ({@code x-tollgate-timeout}, ...) and body fields
     * ({@code timeout}, ...), which are removed from {@code body}.
     */
    static RequestOverrides overrides(ServerRequest req, ObjectNode body) {
        // Most requests carry no router header: one pass over the headers saves ten lookups.
        boolean anyRouterHeader = false;
        for (io.helidon.http.Header header : req.headers()) {
            String name = header.name();
            if (name.regionMatches(true, 0, "x-tollgate-", 0, 11) || name.regionMatches(true, 0, "x-litellm-", 0, 10)) {
                anyRouterHeader = true;
                break;
            }
        }
        if (!anyRouterHeader) {
            return RequestOverrides.from(name -> java.util.Optional.empty(), body);
        }
        return RequestOverrides.from(name -> req.headers().first(HeaderNames.create(name)), body);
    }

    /** Routes a call answered with one value; every attempt lands in {@code exchange.route}. */
    <T> Outcome<T> call(Exchange exchange, RequestOverrides overrides, Function<Attempt, T> call,
                        Function<T, TokenUsage> usageOf) {
        return debugged(exchange, () -> router.call(routeRequest(exchange, overrides), exchange.route, call, usageOf));
    }

    /** Routes a stream to {@code downstream}; {@code beforeFirstChunk} runs just before its first chunk goes out. */
    Outcome<TokenUsage> stream(Exchange exchange, RequestOverrides overrides, ChunkSink downstream,
                               Consumer<Attempt> beforeFirstChunk, Router.StreamCall call) {
        return debugged(exchange, () -> router.stream(routeRequest(exchange, overrides), exchange.route, downstream,
                beforeFirstChunk, call));
    }

    /**
     * Runs the routing with provider calls logged in detail under {@code --detailed-debug}, or when
     * the request asks ({@code x-tollgate-debug: true}) and its key's metadata has {@code allow_debug: true}.
     */
    private <T> Outcome<T> debugged(Exchange exchange, java.util.function.Supplier<Outcome<T>> routing) {
        boolean on = debug == UpstreamDebug.Mode.ALWAYS
                || exchange.debugAsked && exchange.admission.caller().grant().key().getAllowDebug();
        Outcome<T> outcome = on ? UpstreamDebug.during(exchange.requestId, routing) : routing.get();
        if (outcome instanceof Outcome.Failed<T> failed && drain.cut()) {
            // The shutdown's drain bound passed and interrupted this request: say that, not
            // "internal error", and clear the interrupt so the error can still be written to the client.
            Thread.interrupted();
            return new Outcome.Failed<>(Failures.shutdownCut(exchange.requestId), failed.progress());
        }
        return outcome;
    }

    private static Router.Request routeRequest(Exchange exchange, RequestOverrides overrides) {
        Admission a = exchange.admission;
        return new Router.Request(a.caller().policy(), a.alias(), a.caller().grant()::mayUse, overrides,
                exchange.requestId, a.caller().grant().key().getDisableFallbacks());
    }

    ObjectNode readJsonObject(ServerRequest req) {
        return RequestBodies.readJsonObject(req, bodyDeadline);
    }

    static String requireModel(ObjectNode body) {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw Failures.badField("model", "Missing required field 'model': name the model alias to use.").exception();
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw Failures.badField("model", "Field 'model' must be a non-empty string (a model alias).").exception();
        }
        return model.asText();
    }
}
