package dev.tollgate.controlplane.adminkeys;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** One admin key as stored: never the key, only its hash and a hint. */
public record AdminKeyRecord(UUID id, String keyHash, String keyHint, Optional<String> keyAlias, String role,
                             Instant createdAt) {

    public AdminKeyRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(keyHash, "keyHash");
        Objects.requireNonNull(keyHint, "keyHint");
        keyAlias = keyAlias == null ? Optional.empty() : keyAlias;
        if (!role.equals("admin") && !role.equals("viewer")) {
            throw new IllegalArgumentException("role: \"" + role + "\" (expected: admin or viewer)");
        }
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
