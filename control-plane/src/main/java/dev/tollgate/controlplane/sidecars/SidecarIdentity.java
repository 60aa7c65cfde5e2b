package dev.tollgate.controlplane.sidecars;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Who an admitted sidecar is: its name, its scope, and the stored token it presented (for
 * revocation; empty for the shared token, a config token or an open control stream). Immutable.
 *
 * @param source how it was admitted, for logs ("token 'billing-app'", "shared token", ...)
 */
public record SidecarIdentity(String name, SidecarScope scope, Optional<UUID> storedToken, String source) {

    public SidecarIdentity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(storedToken, "storedToken");
        Objects.requireNonNull(source, "source");
    }
}
