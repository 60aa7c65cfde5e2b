package dev.tollgate.controlplane.sidecars;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which teams' keys a sidecar receives; no teams means every key (unscoped). Immutable.
 *
 * @param teams team ids; empty: unscoped
 */
public record SidecarScope(Set<String> teams) {

    public static final SidecarScope UNSCOPED = new SidecarScope(Set.of());

    public SidecarScope {
        Objects.requireNonNull(teams, "teams");
        for (String team : teams) {
            if (team == null || team.isBlank()) {
                throw new IllegalArgumentException("team_ids: an empty team id (expected: ids of existing teams)");
            }
        }
        teams = Set.copyOf(teams);
    }

    public boolean unscoped() {
        return teams.isEmpty();
    }

    @Override
    public String toString() {
        return unscoped() ? "all teams" : "teams " + new TreeSet<>(teams);
    }
}
