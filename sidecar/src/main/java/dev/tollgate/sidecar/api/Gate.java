package dev.tollgate.sidecar.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.limits.Limiter;
import dev.tollgate.sidecar.limits.Ticket;
import dev.tollgate.sidecar.policy.Policy;
import dev.tollgate.sidecar.policy.PolicyHolder;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.Providers;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.util.List;

/**
 * What every proxied route does before a provider is called, in this order: policy present,
 * virtual key valid, body a JSON object, alias known and allowed, deployment usable, budgets and
 * rate limits reserved (last, so nothing refused earlier holds a reservation). Each refusal is a
 * {@link dev.tollgate.sidecar.failure.GatewayException}. Thread-safe.
 */
final class Gate {

    static final ObjectMapper JSON = new ObjectMapper();

    private final PolicyHolder policies;
    private final Authenticator auth;
    private final Providers providers;
    private final Limiter limiter;

    Gate(PolicyHolder policies, Authenticator auth, Providers providers, Limiter limiter) {
        this.policies = policies;
        this.auth = auth;
        this.providers = providers;
        this.limiter = limiter;
    }

    /** The authenticated caller and the policy it was checked against. */
    record Caller(Policy policy, Policy.KeyGrant grant) {
        List<String> usableAliases() {
            return grant.usableAliases(policy);
        }
    }

    /**
     * Where an admitted request goes, and what it holds under its key's limits until
     * {@link Exchange#record} settles it.
     */
    record Admission(Caller caller, String alias, Deployment deployment, Failures.Target target,
                     ProviderAdapter adapter, Ticket limits) {
    }

    Caller authenticate(ServerRequest req) {
        Policy policy = policies.current().orElseThrow(() -> Failures.noPolicy().exception());
        return new Caller(policy, auth.authenticate(req, policy));
    }

    /**
     * Resolves an alias for this caller to the deployment that will serve it. Without the body
     * the budget estimate has no bound, so on a budgeted key such requests run one at a time per
     * sidecar: handlers should pass the body.
     */
    Admission admit(Caller caller, String requested) {
        return admit(caller, requested, null);
    }

    /** As {@link #admit(Caller, String)}, estimating the request's cost from {@code body}. */
    Admission admit(Caller caller, String requested, ObjectNode body) {
        String alias = caller.grant().resolveAlias(requested);
        List<Deployment> deployments = caller.policy().alias(alias).orElseThrow(() ->
                Failures.unknownAlias(alias, caller.usableAliases()).exception());
        if (!caller.grant().mayUse(alias)) {
            throw Failures.aliasNotAllowed(alias, caller.grant().keyAlias(), caller.usableAliases()).exception();
        }
        Deployment deployment = deployments.get(0);
        Failures.Target target = new Failures.Target(alias, deployment.getId(), deployment.getProvider());
        ProviderAdapter adapter = providers.forPrefix(deployment.getProvider()).orElseThrow(() ->
                Failures.unknownProvider(target, providers.prefixes()).exception());
        String credentialError = deployment.getParamsOrDefault("tollgate_credential_error", "");
        if (!credentialError.isEmpty()) {
            throw Failures.missingCredential(target, credentialError).exception();
        }
        return new Admission(caller, alias, deployment, target, adapter,
                limiter.admit(caller.grant(), alias, deployment, body));
    }

    static ObjectNode readJsonObject(ServerRequest req) {
        return RequestBodies.readJsonObject(req);
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
