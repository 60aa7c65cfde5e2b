package dev.tollgate.controlplane.sidecars;

import java.util.Objects;

/**
 * A sidecar from {@code tollgate.sidecars} in the config, with its token resolved from the
 * environment at start. Immutable; {@link #toString()} never shows the token.
 */
public record ConfiguredSidecar(String name, String token, SidecarScope scope) {

    public ConfiguredSidecar {
        Objects.requireNonNull(scope, "scope");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("tollgate.sidecars[].name: required");
        }
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("tollgate.sidecars[" + name + "].token: empty (expected: os.environ/NAME"
                    + " of a variable set in the control-plane process)");
        }
    }

    @Override
    public String toString() {
        return "ConfiguredSidecar[name=" + name + ", token=****, scope=" + scope + "]";
    }
}
