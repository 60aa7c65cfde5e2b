package dev.tollgate.controlplane.credentials;

import dev.tollgate.controlplane.config.ConfigCredential;
import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.secrets.KeyRing;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every named credential a deployment may use: the config's {@code credential_list} (resolved from
 * the environment, in memory only) and those stored through the admin API (sealed in PostgreSQL,
 * opened with the key ring). A config credential and a stored one never share a name: the API
 * refuses to create one the config defines. Thread-safe (immutable beside its repository).
 */
public final class CredentialCatalog {

    /** Where a credential is defined. */
    public enum Source {
        CONFIG("config"),
        DATABASE("db");

        public final String label;

        Source(String label) {
            this.label = label;
        }
    }

    /** What looking a credential up gave. */
    public sealed interface Lookup {
        /**
         * Every field in clear; only the policy compiler asks for this. {@code exposure} is
         * {@code credential_info.exposure} when given ({@code sidecar} or {@code control-plane}).
         */
        record Found(Source source, int version, Map<String, String> values, Optional<String> exposure)
                implements Lookup {
            public Found {
                values = Map.copyOf(values);
                exposure = exposure == null ? Optional.empty() : exposure;
            }

            @Override
            public String toString() {
                return "Found[" + source + ", v" + version + ", fields " + values.keySet() + "]";
            }
        }

        record Missing(String name) implements Lookup {
        }

        /** Defined, but a value cannot be had; {@code reason} says what to fix (never a value). */
        record Unusable(String name, String reason) implements Lookup {
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper INFO =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final CredentialRepository repository;
    private final KeyRing ring;
    private final Map<String, ConfigCredential> config;
    private final Map<String, String> env;

    public CredentialCatalog(CredentialRepository repository, KeyRing ring, List<ConfigCredential> config,
                             Map<String, String> env) {
        this.repository = repository;
        this.ring = ring;
        Map<String, ConfigCredential> byName = new LinkedHashMap<>();
        config.forEach(c -> byName.put(c.name(), c));
        this.config = Map.copyOf(byName);
        this.env = Map.copyOf(env);
    }

    public KeyRing ring() {
        return ring;
    }

    public CredentialRepository repository() {
        return repository;
    }

    public Optional<ConfigCredential> configCredential(String name) {
        return Optional.ofNullable(config.get(name));
    }

    public List<ConfigCredential> configCredentials() {
        return List.copyOf(config.values());
    }

    /** Every credential by name, opened: one database read for a whole policy compile. */
    public Map<String, Lookup> resolveAll() throws SQLException {
        Map<String, Lookup> out = new LinkedHashMap<>();
        config.values().forEach(c -> out.put(c.name(), resolve(c)));
        for (StoredCredential stored : repository.all()) {
            out.putIfAbsent(stored.name(), open(stored));
        }
        return out;
    }

    private Lookup resolve(ConfigCredential credential) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, CredentialRef> field : credential.values().entrySet()) {
            Optional<String> value = field.getValue().resolve(env);
            if (value.isEmpty()) {
                return new Lookup.Unusable(credential.name(), "credential_list entry " + credential.name() + ": "
                        + field.getKey() + " refers to environment variable "
                        + ((CredentialRef.Env) field.getValue()).name() + ", which is not set in the control-plane"
                        + " process");
            }
            values.put(field.getKey(), value.get());
        }
        return new Lookup.Found(Source.CONFIG, 1, values, exposure(credential.info()));
    }

    /** Opens every field of the current version of a stored credential. */
    public Lookup open(StoredCredential stored) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, StoredCredential.Value> field : stored.values().entrySet()) {
            switch (ring.open(field.getValue().sealed(), associatedData(stored.name(), field.getKey()))) {
                case KeyRing.Opened.Plain p -> values.put(field.getKey(), p.value());
                case KeyRing.Opened.UnknownKey u -> {
                    return new Lookup.Unusable(stored.name(), "credential " + stored.name() + " (" + field.getKey()
                            + ") was encrypted under key id " + u.keyId() + ", which is neither "
                            + KeyRing.CURRENT_VARIABLE + " nor in " + KeyRing.PREVIOUS_VARIABLE
                            + " of the control plane (keys it holds: " + ring.keyIds() + ")");
                }
                case KeyRing.Opened.Tampered t -> {
                    return new Lookup.Unusable(stored.name(), "credential " + stored.name() + " (" + field.getKey()
                            + ") does not decrypt under key id " + t.keyId() + ": the stored row was altered;"
                            + " set the credential again with PATCH /credentials/" + stored.name());
                }
            }
        }
        return new Lookup.Found(Source.DATABASE, stored.version(), values, exposure(stored.info()));
    }

    /** {@code credential_info.exposure}, if the info is a JSON object that gives it as a string. */
    static Optional<String> exposure(String info) {
        try {
            com.fasterxml.jackson.databind.JsonNode value = INFO.readTree(info).path("exposure");
            return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Seals a version of a credential under the current KEK. {@code values} are clear text; the
     * result holds only ciphertext and 4-character hints.
     */
    public StoredCredential seal(String name, String info, int version, Instant createdAt, Instant now,
                                 Map<String, String> values, Map<String, StoredCredential.Value> kept) {
        Map<String, StoredCredential.Value> sealed = new LinkedHashMap<>(kept);
        values.forEach((field, value) -> sealed.put(field, new StoredCredential.Value(
                ring.seal(value, associatedData(name, field)), hint(value))));
        return new StoredCredential(name, info, version, createdAt, now, sealed);
    }

    /**
     * Binds a ciphertext to its credential and field: a value copied into another row fails its
     * tag check instead of handing one credential's key to another's deployments.
     */
    public static String associatedData(String name, String field) {
        return "tollgate/credential/" + name + "/" + field;
    }

    /**
     * What responses show of a value: its last 4 characters, and nothing of a value shorter than
     * 12 (where 4 characters would be a third of it).
     */
    public static String hint(String value) {
        return value.length() < 12 ? "****" : "…" + value.substring(value.length() - 4);
    }
}
