package dev.tollgate.sidecar.failure;

import java.util.Collection;
import java.util.Optional;

/**
 * The catalogue of gateway errors (one factory per row of the README's error table), so that a
 * status, type and code are chosen in one place.
 */
public final class Failures {

    private Failures() {
    }

    public static GatewayError noPolicy() {
        return new GatewayError(503, "service_unavailable", "no_policy",
                "The sidecar has no policy yet: it has not reached the control plane since it started. "
                        + "Check that the control plane is running and that --control-plane points at its gRPC port.");
    }

    public static GatewayError missingKey() {
        return new GatewayError(401, "authentication_error", "missing_api_key",
                "No virtual key: send Authorization: Bearer <virtual key> (create one with POST /key/generate on the control plane).");
    }

    public static GatewayError invalidKey() {
        return new GatewayError(401, "authentication_error", "invalid_api_key",
                "Invalid virtual key: it was never issued, or it has been deleted.");
    }

    public static GatewayError blockedKey(String keyAlias) {
        return new GatewayError(401, "authentication_error", "key_blocked",
                "Virtual key " + name(keyAlias) + " is blocked; ask the platform team to unblock it.");
    }

    public static GatewayError blockedOwner(String keyAlias, String kind, String owner) {
        return new GatewayError(401, "authentication_error", "key_blocked",
                "Virtual key " + name(keyAlias) + " belongs to " + kind + " '" + owner + "', which is blocked; "
                        + "ask the platform team to unblock the " + kind + ".");
    }

    public static GatewayError expiredKey(String keyAlias) {
        return new GatewayError(401, "authentication_error", "key_expired",
                "Virtual key " + name(keyAlias) + " has expired; ask the platform team for a new one.");
    }

    public static GatewayError malformedJson(String detail) {
        return new GatewayError(400, "invalid_request_error", "invalid_json",
                "Request body is not valid JSON: " + detail, null, Optional.empty());
    }

    public static GatewayError badField(String param, String message) {
        return new GatewayError(400, "invalid_request_error", "invalid_request", message, param, Optional.empty());
    }

    public static GatewayError unknownAlias(String alias, Collection<String> usable) {
        return new GatewayError(404, "invalid_request_error", "model_not_found",
                "Unknown model alias '" + alias + "'. This key may use: " + list(usable) + ".", "model", Optional.empty());
    }

    public static GatewayError aliasNotAllowed(String alias, String keyAlias, Collection<String> usable) {
        return new GatewayError(403, "permission_error", "model_not_allowed",
                "Virtual key " + name(keyAlias) + " may not use alias '" + alias + "'. It may use: " + list(usable) + ".",
                "model", Optional.empty());
    }

    public static GatewayError unknownProvider(Target target, Collection<String> known) {
        return new GatewayError(500, "configuration_error", "unknown_provider",
                target.describe() + " uses provider prefix '" + target.provider()
                        + "', which this sidecar does not support. Known prefixes: " + list(known)
                        + ". Fix litellm_params.model in the control plane config.");
    }

    public static GatewayError missingCredential(Target target, String why) {
        return new GatewayError(500, "configuration_error", "missing_credential",
                target.describe() + " has no usable credential: " + why + ".");
    }

    /**
     * Every deployment of {@code alias} is cooling down (or at its limits): 429 when each is out
     * because of rate limits, else 503. {@code why} names each deployment, why and until when.
     */
    public static GatewayError noDeploymentsAvailable(String alias, boolean rateLimited, String why,
                                                      long retryAfterSeconds) {
        return new GatewayError(rateLimited ? 429 : 503, rateLimited ? "rate_limit_error" : "service_unavailable",
                "no_deployments_available", "No deployment of alias '" + alias + "' can take this request now: " + why
                        + ". Retry after " + retryAfterSeconds + " s, or check those deployments (provider status, "
                        + "credentials, rate limits).", null, Optional.of(retryAfterSeconds));
    }

    /**
     * A budget is spent: who, how much of what limit, and when the window resets.
     *
     * @param who        e.g. "key 'my-app'", "team 'payments'"
     * @param resetsAtMs end of the budget window (0: the budget never resets)
     */
    public static GatewayError budgetExceeded(String who, String spentUsd, String limitUsd, String duration,
                                              long resetsAtMs, long nowMs, String requestMaxUsd) {
        String when = resetsAtMs > 0
                ? "the window resets at " + java.time.Instant.ofEpochMilli(resetsAtMs) + " (in "
                        + seconds(resetsAtMs - nowMs) + " s)"
                : "this budget has no budget_duration and does not reset; raise max_budget to continue";
        return new GatewayError(429, "budget_exceeded", "budget_exceeded",
                "Budget exceeded for " + who + ": spent $" + spentUsd + " of max_budget $" + limitUsd
                        + (duration.isEmpty() ? "" : " in the current " + duration + " window")
                        + ", and what is left does not cover this request's maximum cost of $" + requestMaxUsd
                        + " (from its prompt size and max_tokens); " + when + ".",
                null, resetsAtMs > 0 ? Optional.of(seconds(resetsAtMs - nowMs)) : Optional.empty());
    }

    /** A limited key without a lease covering the request while the control plane cannot be reached. */
    public static GatewayError budgetUnconfirmed(String who) {
        return new GatewayError(429, "budget_exceeded", "budget_exceeded",
                "Cannot admit spend for " + who + ": it has a max_budget and this sidecar holds no budget lease "
                        + "covering this request, and the control plane did not answer; no spend is admitted "
                        + "beyond the lease. Retry shortly; if it persists, check that the control plane is up.",
                null, Optional.of(1L));
    }

    /** A second request without an output cap on a budgeted key while one is in flight. */
    public static GatewayError budgetUncapped(String who, Target target) {
        return new GatewayError(429, "budget_exceeded", "budget_exceeded",
                "Cannot admit spend for " + who + " on " + target.describe() + ": the request sets no max_tokens "
                        + "and the model's output limit is unknown, so its cost has no bound; such requests run "
                        + "one at a time per budget. Set max_tokens, or max_output_tokens in the deployment's "
                        + "litellm_params.", "max_tokens", Optional.of(1L));
    }

    /** An rpm or tpm limit is reached for the current minute. */
    public static GatewayError rateLimited(String who, String field, long limit, long resetsAtMs, long nowMs) {
        long wait = resetsAtMs > 0 ? seconds(resetsAtMs - nowMs) : 1;
        return new GatewayError(429, "rate_limit_error", "rate_limit_exceeded",
                "Rate limit reached for " + who + ": " + field + " " + limit + " per minute; retry after " + wait
                        + " s.", null, Optional.of(wait));
    }

    /** A rate limit whose allowance cannot be confirmed (control plane unreachable), or the parallel cap. */
    public static GatewayError rateUnconfirmed(String who, String field) {
        return new GatewayError(429, "rate_limit_error", "rate_limit_exceeded",
                "Rate limit for " + who + " (" + field + ") cannot be confirmed: this sidecar holds no allowance "
                        + "for it and the control plane did not answer. Retry shortly.", null, Optional.of(1L));
    }

    public static GatewayError parallelLimited(String who, long limit) {
        return new GatewayError(429, "rate_limit_error", "rate_limit_exceeded",
                "Rate limit reached for " + who + ": max_parallel_requests " + limit
                        + " requests in flight on this sidecar; retry when one finishes.", null, Optional.of(1L));
    }

    private static long seconds(long ms) {
        return Math.max(1, (ms + 999) / 1000);
    }

    public static GatewayError shuttingDown() {
        return new GatewayError(503, "service_unavailable", "shutting_down",
                "The sidecar is shutting down (it received SIGTERM) and takes no new requests. Retry: the app's next "
                        + "sidecar, or this one once restarted, will answer.", null, java.util.Optional.of(1L));
    }

    public static GatewayError shutdownCut(String requestId) {
        return new GatewayError(503, "service_unavailable", "shutting_down",
                "The sidecar is shutting down and its drain bound (--drain-timeout) passed before request " + requestId
                        + " finished, so it was cut; its usage so far is recorded. Retry the request; raise "
                        + "--drain-timeout (and the orchestrator's grace period) if responses are routinely longer.");
    }

    public static GatewayError internal(String requestId) {
        return new GatewayError(500, "internal_error", "internal_error",
                "The gateway failed to handle this request (request id " + requestId + "); the sidecar log has details.");
    }

    private static String name(String keyAlias) {
        return keyAlias == null || keyAlias.isEmpty() ? "(no key_alias)" : "'" + keyAlias + "'";
    }

    private static String list(Collection<String> items) {
        return items.isEmpty() ? "(none)" : String.join(", ", items);
    }

    /** Who an error is about: the alias, the deployment behind it and its provider. */
    public record Target(String alias, String deploymentId, String provider) {
        public String describe() {
            return "Deployment '" + deploymentId + "' (provider " + provider + ") behind alias '" + alias + "'";
        }
    }
}
