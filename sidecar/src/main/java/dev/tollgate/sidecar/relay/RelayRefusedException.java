package dev.tollgate.sidecar.relay;

import java.io.IOException;

/** The control plane refused to relay a call (token, unknown deployment, host not the deployment's api_base). */
public final class RelayRefusedException extends IOException {

    public RelayRefusedException(String message) {
        super(message);
    }
}
