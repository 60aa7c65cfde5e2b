package dev.tollgate.sidecar.failure;

import java.util.Objects;
import java.util.Optional;

/**
 * An error the gateway returns to a client: HTTP status and the fields of the OpenAI error
 * envelope. Messages name the alias, deployment and provider and say what to check; they never
 * carry a secret. The catalogue of {@code code}s is documented in the README.
 *
 * @param retryAfterSeconds value for a {@code Retry-After} header, when the client should wait
 */
public record GatewayError(int status, String type, String code, String message, String param,
                           Optional<Long> retryAfterSeconds) {

    public GatewayError {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 400-599)");
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        retryAfterSeconds = retryAfterSeconds == null ? Optional.empty() : retryAfterSeconds;
    }

    public GatewayError(int status, String type, String code, String message) {
        this(status, type, code, message, null, Optional.empty());
    }

    public GatewayException exception() {
        return new GatewayException(this);
    }
}
