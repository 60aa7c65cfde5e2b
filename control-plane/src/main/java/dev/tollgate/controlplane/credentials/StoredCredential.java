package dev.tollgate.controlplane.credentials;

import dev.tollgate.controlplane.secrets.Sealed;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A credential as the database holds it: metadata and the sealed fields of its current version.
 *
 * @param info   {@code credential_info} as JSON text, shown faithfully, never secret
 * @param values sealed values by field name ({@code api_key}, {@code api_base}, ...)
 */
public record StoredCredential(String name, String info, int version, Instant createdAt, Instant updatedAt,
                               Map<String, Value> values) {

    /** One sealed field and the last 4 characters of its clear value (all an API response shows). */
    public record Value(Sealed sealed, String hint) {
        public Value {
            Objects.requireNonNull(sealed, "sealed");
            Objects.requireNonNull(hint, "hint");
        }
    }

    public StoredCredential {
        Objects.requireNonNull(name, "name");
        info = info == null ? "{}" : info;
        if (version < 1) {
            throw new IllegalArgumentException("version: " + version + " (expected: >= 1)");
        }
        values = Map.copyOf(values);
    }
}
