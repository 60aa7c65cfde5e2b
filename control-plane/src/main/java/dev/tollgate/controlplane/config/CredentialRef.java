package dev.tollgate.controlplane.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a secret comes from: nothing, a literal in the config file, or {@code os.environ/NAME}.
 * The resolved value is never part of {@link #toString()}.
 */
public sealed interface CredentialRef {

    CredentialRef NONE = new None();

    /** The prefix LiteLLM uses for environment references. */
    String ENV_PREFIX = "os.environ/";

    /** Parses a config value: {@code os.environ/NAME} or a literal. */
    static CredentialRef parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            return NONE;
        }
        if (raw.startsWith(ENV_PREFIX)) {
            return new Env(raw.substring(ENV_PREFIX.length()));
        }
        return new Literal(raw);
    }

    /** Resolves against the control plane's environment; empty when a variable is missing. */
    Optional<String> resolve(Map<String, String> env);

    /** How the reference reads in logs and the database (never the secret). */
    String describe();

    record None() implements CredentialRef {
        @Override
        public Optional<String> resolve(Map<String, String> env) {
            return Optional.of("");
        }

        @Override
        public String describe() {
            return "none";
        }
    }

    record Literal(String value) implements CredentialRef {
        public Literal {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public Optional<String> resolve(Map<String, String> env) {
            return Optional.of(value);
        }

        @Override
        public String describe() {
            return "literal";
        }

        @Override
        public String toString() {
            return "Literal[****]";
        }
    }

    record Env(String name) implements CredentialRef {
        public Env {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("os.environ/: empty variable name (expected: os.environ/NAME)");
            }
        }

        @Override
        public Optional<String> resolve(Map<String, String> env) {
            String value = env.get(name);
            return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
        }

        @Override
        public String describe() {
            return ENV_PREFIX + name;
        }
    }
}
