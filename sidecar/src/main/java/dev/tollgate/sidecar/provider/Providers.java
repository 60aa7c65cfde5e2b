package dev.tollgate.sidecar.provider;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Provider adapters by config prefix ({@code openai}, {@code mock}, ...). Immutable. */
public final class Providers {

    private final Map<String, ProviderAdapter> byPrefix;

    public Providers(Map<String, ProviderAdapter> byPrefix) {
        this.byPrefix = Map.copyOf(byPrefix);
    }

    public Optional<ProviderAdapter> forPrefix(String prefix) {
        return Optional.ofNullable(byPrefix.get(prefix));
    }

    public Set<String> prefixes() {
        return new java.util.TreeSet<>(byPrefix.keySet());
    }
}
