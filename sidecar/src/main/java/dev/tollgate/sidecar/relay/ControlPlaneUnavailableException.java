package dev.tollgate.sidecar.relay;

import java.io.IOException;

/**
 * A strict deployment's call could not be handed to the control plane (down, unreachable, or too old
 * to relay). The router treats it like a provider connection failure.
 */
public final class ControlPlaneUnavailableException extends IOException {

    public ControlPlaneUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
