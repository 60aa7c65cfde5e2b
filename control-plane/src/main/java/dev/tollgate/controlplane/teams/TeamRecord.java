package dev.tollgate.controlplane.teams;

import dev.tollgate.controlplane.budget.Limits;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A team as stored. Keys with this {@code team_id} are bound by its limits and may use only its
 * {@code models} (empty: every alias).
 */
public record TeamRecord(String id, Optional<String> teamAlias, List<String> models, Limits limits, String metadata,
                         boolean blocked, Instant createdAt) {

    public TeamRecord {
        Objects.requireNonNull(id, "id");
        models = List.copyOf(models);
        metadata = metadata == null ? "{}" : metadata;
        if (id.isBlank()) {
            throw new IllegalArgumentException("team_id: empty (expected: a non-empty string)");
        }
    }
}
