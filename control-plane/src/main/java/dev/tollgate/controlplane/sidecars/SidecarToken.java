package dev.tollgate.controlplane.sidecars;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A stored per-sidecar token: its hash, the sidecar name it is bound to and its scope. The token
 * text itself is never stored. Immutable.
 */
public record SidecarToken(UUID id, String sidecarName, String tokenHash, SidecarScope scope, Instant createdAt) {

    public SidecarToken {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(createdAt, "createdAt");
        if (sidecarName == null || sidecarName.isBlank()) {
            throw new IllegalArgumentException("sidecar_name: required (expected: the --name the sidecar starts with)");
        }
    }
}
