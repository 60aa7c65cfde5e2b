package dev.tollgate.controlplane.cloud;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A short-lived credential as the snapshot carries it: the deployment params (or api_key) the
 * sidecar's adapter reads, and when it was issued and expires. Held in memory only; never printed
 * with its values.
 */
public record MintedCredential(String apiKey, Map<String, String> params, Instant issuedAt, Instant expiresAt) {

    public MintedCredential {
        Objects.requireNonNull(apiKey, "apiKey");
        params = Map.copyOf(params);
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("expiresAt: " + expiresAt + " (expected: after issuedAt " + issuedAt + ")");
        }
    }

    @Override
    public String toString() {
        return "MintedCredential[params=" + params.keySet() + ", issuedAt=" + issuedAt + ", expiresAt=" + expiresAt + "]";
    }
}
