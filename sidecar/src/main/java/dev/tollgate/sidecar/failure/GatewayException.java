package dev.tollgate.sidecar.failure;

/**
 * Carries a {@link GatewayError} from deep in a provider call up to the one HTTP error mapper.
 * It is an answer for the client, not a bug, so it records no stack trace.
 */
public final class GatewayException extends RuntimeException {

    private final transient GatewayError error;

    GatewayException(GatewayError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public GatewayError error() {
        return error;
    }
}
