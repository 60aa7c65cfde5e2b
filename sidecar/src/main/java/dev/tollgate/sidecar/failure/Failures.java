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
