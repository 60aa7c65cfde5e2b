package dev.tollgate.controlplane.keys;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A virtual key as stored: never the key text, only its hash and a display hint.
 *
 * @param models   aliases the key may use; empty means every alias
 * @param metadata free-form JSON object given at creation
 */
public record KeyRecord(
        UUID id, String keyHash, String keyHint, Optional<String> keyAlias, List<String> models,
        String metadata, boolean blocked, Optional<Instant> expiresAt, Instant createdAt) {

    public KeyRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(keyHash, "keyHash");
        models = List.copyOf(models);
        metadata = metadata == null ? "{}" : metadata;
    }
}
