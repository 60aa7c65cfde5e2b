package dev.tollgate.sidecar.provider;

import dev.tollgate.sidecar.failure.Failures.Target;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.relay.ControlPlaneUnavailableException;
import dev.tollgate.sidecar.relay.RelayRefusedException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Maps what went wrong with a provider call (its HTTP status and error message, or an I/O
 * failure) to the gateway's error catalogue. Every message names the deployment and says what
 * to check; provider text is scrubbed of secrets first.
 */
public final class ProviderErrors {

    /** Provider codes and messages that mean the prompt (plus max_tokens) exceeds the model's context window. */
    private static final Pattern CONTEXT_TOO_LONG = Pattern.compile("(?i)context_length_exceeded|prompt is too long"
            + "|context (length|window)|maximum context|exceeds? (the )?context limit|input is too long"
            + "|too many (input )?tokens");
    /** Provider codes and messages that mean a safety system refused the request. */
    private static final Pattern CONTENT_POLICY = Pattern.compile("(?i)content_policy_violation|content[ _]filter"
            + "|content (management |filtering )?polic(y|ies)|usage polic(y|ies)|safety system");

    private ProviderErrors() {
    }

    /**
     * {@link #fromStatus(Target, int, String, Optional, String)}, telling apart what a client handles
     * differently from a plain 400: a prompt too long for the context window (400
     * {@code context_length_exceeded}), a content-policy refusal (400 {@code content_policy_violation}),
     * a body too large (413 {@code request_too_large}). Recognised by the provider's error code (may be
     * null) or, failing that, its message.
     */
    public static GatewayError fromStatus(Target t, int status, String providerMessage, String providerCode,
                                          Optional<Long> retryAfter, String secret) {
        String quoted = " The provider said: \"" + Redaction.scrub(providerMessage, secret) + "\"";
        if (status == 400 || status == 422) {
            return badRequest(t, status, providerMessage, providerCode, quoted);
        }
        if (status == 413) {
            return new GatewayError(413, "invalid_request_error", "request_too_large",
                    t.describe() + ": the provider refused the request body as too large (HTTP 413); send fewer or "
                            + "smaller images and documents." + quoted);
        }
        return fromStatus(t, status, providerMessage, retryAfter, secret);
    }

    private static GatewayError badRequest(Target t, int status, String providerMessage, String providerCode,
                                           String quoted) {
        String said = (providerCode == null ? "" : providerCode) + " " + (providerMessage == null ? "" : providerMessage);
        if (CONTEXT_TOO_LONG.matcher(said).find()) {
            return new GatewayError(400, "invalid_request_error", "context_length_exceeded",
                    t.describe() + ": the prompt does not fit the model's context window (HTTP " + status + "); "
                            + "shorten the conversation or lower max_tokens." + quoted, "messages", Optional.empty());
        }
        if (CONTENT_POLICY.matcher(said).find()) {
            return new GatewayError(400, "invalid_request_error", "content_policy_violation",
                    t.describe() + ": the provider's content policy refused the request (HTTP " + status + ")."
                            + quoted);
        }
        return new GatewayError(400, "invalid_request_error", "provider_bad_request",
                t.describe() + ": the provider rejected the request (HTTP " + status + ")." + quoted);
    }

    /** A non-2xx answer from the provider. */
    public static GatewayError fromStatus(Target t, int status, String providerMessage, Optional<Long> retryAfter,
                                          String secret) {
        String quoted = " The provider said: \"" + Redaction.scrub(providerMessage, secret) + "\"";
        return switch (status) {
            case 400, 422 -> badRequest(t, status, providerMessage, null, quoted);
            case 401 -> new GatewayError(401, "authentication_error", "provider_auth_error",
                    t.describe() + ": the provider rejected the deployment's credential (HTTP 401). Check api_key of this "
                            + "deployment in the control plane config and the environment variable it names." + quoted);
            case 403 -> new GatewayError(403, "permission_error", "provider_permission_denied",
                    t.describe() + ": the provider refused access (HTTP 403); the credential lacks permission for this "
                            + "model or project." + quoted);
            case 404 -> new GatewayError(404, "invalid_request_error", "provider_model_not_found",
                    t.describe() + ": the provider answered 404; check the model name after the prefix in "
                            + "litellm_params.model and the api_base path." + quoted);
            case 408 -> new GatewayError(504, "timeout_error", "provider_timeout",
                    t.describe() + ": the provider timed out (HTTP 408)." + quoted);
            case 429 -> new GatewayError(429, "rate_limit_error", "provider_rate_limited",
                    t.describe() + ": the provider is rate limiting this deployment (HTTP 429)." + quoted,
                    null, retryAfter);
            case 503, 529 -> new GatewayError(503, "service_unavailable", "provider_overloaded",
                    t.describe() + ": the provider is overloaded (HTTP " + status + ")." + quoted, null, retryAfter);
            default -> new GatewayError(502, "api_error", "provider_error",
                    t.describe() + ": the provider failed (HTTP " + status + ")." + quoted);
        };
    }

    /** The provider could not be reached, or did not answer in time. */
    public static GatewayError fromIo(Target t, String apiBase, Exception e) {
        if (e instanceof ControlPlaneUnavailableException) {
            return new GatewayError(503, "api_connection_error", "control_plane_unavailable",
                    t.describe() + ": its provider key is held by the control plane (exposure: control-plane), which "
                            + "makes its provider calls, and the control plane cannot be reached (" + e.getMessage()
                            + "). Check that the control plane is running and that --control-plane points at it.");
        }
        if (e instanceof RelayRefusedException) {
            return new GatewayError(500, "configuration_error", "relay_refused",
                    t.describe() + ": its provider key is held by the control plane (exposure: control-plane), and "
                            + e.getMessage() + ". Check the sidecar token and the deployment's api_base.");
        }
        if (e instanceof HttpConnectTimeoutException) {
            return new GatewayError(504, "timeout_error", "provider_timeout",
                    t.describe() + ": connecting to " + apiBase + " timed out; check api_base and the network path.");
        }
        if (e instanceof HttpTimeoutException) {
            return new GatewayError(504, "timeout_error", "provider_timeout",
                    t.describe() + ": the provider at " + apiBase + " did not answer within the deployment's timeout.");
        }
        if (isUnreachable(e)) {
            return new GatewayError(502, "api_connection_error", "provider_unreachable",
                    t.describe() + ": cannot connect to api_base " + apiBase
                            + " (connection refused or host unknown); check api_base in the control plane config.");
        }
        return new GatewayError(502, "api_connection_error", "provider_connection_error",
                t.describe() + ": the connection to " + apiBase + " failed: " + e.getClass().getSimpleName());
    }

    private static boolean isUnreachable(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof UnresolvedAddressException) {
                return true;
            }
        }
        return false;
    }
}
