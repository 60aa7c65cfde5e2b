package dev.tollgate.sidecar.routing;

import dev.tollgate.sidecar.failure.GatewayError;

/**
 * What kind of failure a provider call ended with, for the three decisions the router makes on it:
 * whether to retry ({@link #retryPolicyKey}, LiteLLM's RetryPolicy names), what it says about the
 * deployment's health ({@link Health}), and which fallback list applies.
 */
enum ErrorClass {
    TIMEOUT("TimeoutErrorRetries", true, Health.COUNTS),
    RATE_LIMIT("RateLimitErrorRetries", true, Health.COUNTS),
    /** 5xx, overloaded (503/529), a bad body or an error mid-stream. */
    SERVER_ERROR("InternalServerErrorRetries", true, Health.COUNTS),
    CONNECTION("APIConnectionErrorRetries", true, Health.COUNTS),
    /** 401/403 from the provider: the deployment's credential is wrong. */
    AUTHENTICATION("AuthenticationErrorRetries", false, Health.COOLS_AT_ONCE),
    /** 404 from the provider: the deployment names a model or path the provider lacks. */
    NOT_FOUND("", false, Health.COUNTS),
    CONTEXT_WINDOW("BadRequestErrorRetries", false, Health.UNAFFECTED),
    CONTENT_POLICY("ContentPolicyViolationErrorRetries", false, Health.UNAFFECTED),
    /** The request itself is wrong: it would fail on any deployment. */
    BAD_REQUEST("BadRequestErrorRetries", false, Health.UNAFFECTED),
    /** The deployment's configuration is unusable (api_base, credential, provider prefix). */
    CONFIGURATION("", false, Health.UNAFFECTED),
    /** The gateway itself failed. */
    INTERNAL("", false, Health.UNAFFECTED);

    /** What a failure of this class does to the deployment's health. */
    enum Health {
        /** Counts towards allowed_fails within the minute. */
        COUNTS,
        /** Cools the deployment down at once. */
        COOLS_AT_ONCE,
        /** Says nothing about the deployment. */
        UNAFFECTED
    }

    /** The retry_policy key that sets this class's retries ("" when it has none: never retried). */
    final String retryPolicyKey;
    /** Retried up to num_retries unless retry_policy says otherwise. */
    final boolean retriedByDefault;
    final Health health;

    ErrorClass(String retryPolicyKey, boolean retriedByDefault, Health health) {
        this.retryPolicyKey = retryPolicyKey;
        this.retriedByDefault = retriedByDefault;
        this.health = health;
    }

    static ErrorClass of(GatewayError e) {
        switch (e.code()) {
            case "context_length_exceeded":
                return CONTEXT_WINDOW;
            case "content_policy_violation":
                return CONTENT_POLICY;
            case "provider_model_not_found":
                return NOT_FOUND;
            default:
                break;
        }
        return switch (e.type()) {
            case "timeout_error" -> TIMEOUT;
            case "rate_limit_error" -> RATE_LIMIT;
            case "api_connection_error" -> CONNECTION;
            case "authentication_error", "permission_error" -> AUTHENTICATION;
            case "configuration_error" -> CONFIGURATION;
            case "internal_error" -> INTERNAL;
            case "api_error", "service_unavailable" -> SERVER_ERROR;
            default -> e.status() >= 500 ? SERVER_ERROR : BAD_REQUEST;
        };
    }

    /** Whether the alias's generic {@code fallbacks} (or {@code default_fallbacks}) apply after this failure. */
    boolean fallsBackGenerically() {
        return this != BAD_REQUEST && this != CONTEXT_WINDOW && this != CONTENT_POLICY && this != INTERNAL;
    }
}
