package dev.tollgate.controlplane.config;

import java.util.List;
import java.util.Objects;

/**
 * One {@code tollgate.sidecars} entry: a sidecar name, its token (normally {@code os.environ/NAME},
 * resolved in the control-plane process) and the teams it is scoped to (empty: every team).
 * Immutable.
 */
public record SidecarEntry(String name, CredentialRef token, List<String> teams) {

    public SidecarEntry {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name: required (expected: the --name the sidecar starts with)");
        }
        Objects.requireNonNull(token, "token");
        if (token == CredentialRef.NONE) {
            throw new IllegalArgumentException("token: required (expected: os.environ/NAME)");
        }
        teams = List.copyOf(teams);
    }
}
