package dev.tollgate.sidecar.upstream;

import java.io.IOException;

/** A pooled connection turned out closed before any byte of the answer: safe to try once more on a new one. */
final class StaleConnectionException extends IOException {

    StaleConnectionException(String message) {
        super(message);
    }
}
