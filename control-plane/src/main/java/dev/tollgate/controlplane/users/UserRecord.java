package dev.tollgate.controlplane.users;

import dev.tollgate.controlplane.budget.Limits;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A user as stored. Keys with this {@code user_id} are bound by its limits and may use only its
 * {@code models} (empty: every alias).
 */
public record UserRecord(String id, Optional<String> userEmail, Optional<String> userRole, List<String> models,
                         Limits limits, String metadata, Instant createdAt) {

    public UserRecord {
        Objects.requireNonNull(id, "id");
        models = List.copyOf(models);
        metadata = metadata == null ? "{}" : metadata;
        if (id.isBlank()) {
            throw new IllegalArgumentException("user_id: empty (expected: a non-empty string)");
        }
    }
}
