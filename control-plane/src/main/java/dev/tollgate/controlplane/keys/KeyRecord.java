package dev.tollgate.controlplane.keys;

import dev.tollgate.controlplane.budget.Limits;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A virtual key as stored: never the key text, only its hash and a display hint.
 *
 * @param models         aliases the key may use; empty means every alias
 * @param metadata       free-form JSON object
 * @param teamId         team whose limits and models bind the key too
 * @param userId         user whose limits and models bind the key too
 * @param limits         the key's own budget and rate limits
 * @param modelMaxBudget per-alias budgets (LiteLLM {@code model_max_budget}); windows share the key's anchor
 * @param aliases        names the app may send instead of an alias (LiteLLM key {@code aliases})
 */
public record KeyRecord(
        UUID id, String keyHash, String keyHint, Optional<String> keyAlias, List<String> models,
        String metadata, boolean blocked, Optional<Instant> expiresAt, Instant createdAt,
        Optional<String> teamId, Optional<String> userId, Limits limits, Map<String, Limits> modelMaxBudget,
        Map<String, String> aliases) {

    public KeyRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(keyHash, "keyHash");
        Objects.requireNonNull(limits, "limits");
        models = List.copyOf(models);
        metadata = metadata == null ? "{}" : metadata;
        modelMaxBudget = Map.copyOf(modelMaxBudget);
        aliases = Map.copyOf(aliases);
    }
}
