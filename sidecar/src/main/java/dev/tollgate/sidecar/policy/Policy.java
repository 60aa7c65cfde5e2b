package dev.tollgate.sidecar.policy;

import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.RouterSettings;
import dev.tollgate.proto.control.v1.VirtualKey;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable, versioned view of a policy snapshot, indexed for the request path: virtual keys by
 * hash, aliases by name. Thread-safe (immutable).
 */
public final class Policy {

    private final long version;
    private final Map<String, KeyGrant> keysByHash;
    private final Map<String, List<Deployment>> aliases;
    private final RouterSettings routerSettings;

    private Policy(long version, Map<String, KeyGrant> keysByHash, Map<String, List<Deployment>> aliases,
                   RouterSettings routerSettings) {
        this.version = version;
        this.keysByHash = keysByHash;
        this.aliases = aliases;
        this.routerSettings = routerSettings;
    }

    /** What a virtual key may do. {@code models} empty means every alias. */
    public record KeyGrant(String keyId, String keyAlias, Set<String> models, boolean blocked, long expiresAtMs) {

        public KeyGrant {
            models = Set.copyOf(models);
        }

        public boolean mayUse(String alias) {
            return models.isEmpty() || models.contains(alias);
        }

        /** Aliases of {@code policy} this key may use, in the policy's order. */
        public List<String> usableAliases(Policy policy) {
            return policy.aliasNames().stream().filter(this::mayUse).toList();
        }

        public boolean expiredAt(long nowMs) {
            return expiresAtMs > 0 && nowMs >= expiresAtMs;
        }
    }

    /** Indexes a snapshot; refuses one that could not be served from. */
    public static Policy compile(PolicySnapshot snapshot) {
        Map<String, KeyGrant> keys = new HashMap<>();
        for (VirtualKey key : snapshot.getKeysList()) {
            if (key.getKeyHash().length() != 64) {
                throw new IllegalArgumentException("key " + key.getKeyId() + ": hash is not SHA-256 hex");
            }
            keys.put(key.getKeyHash(), new KeyGrant(key.getKeyId(), key.getKeyAlias(), Set.copyOf(key.getModelsList()),
                    key.getBlocked(), key.getExpiresAtMs()));
        }
        Map<String, List<Deployment>> aliases = new LinkedHashMap<>();
        for (Alias alias : snapshot.getAliasesList()) {
            if (alias.getDeploymentsCount() == 0) {
                throw new IllegalArgumentException("alias " + alias.getName() + " has no deployment");
            }
            aliases.put(alias.getName(), List.copyOf(alias.getDeploymentsList()));
        }
        return new Policy(snapshot.getVersion(), Map.copyOf(keys), java.util.Collections.unmodifiableMap(aliases),
                snapshot.getRouterSettings());
    }

    public long version() {
        return version;
    }

    public Optional<KeyGrant> key(String keyHash) {
        return Optional.ofNullable(keysByHash.get(keyHash));
    }

    public Optional<List<Deployment>> alias(String name) {
        return Optional.ofNullable(aliases.get(name));
    }

    public Set<String> aliasNames() {
        return aliases.keySet();
    }

    /** How the router picks deployments, retries and falls back under this policy. */
    public RouterSettings routerSettings() {
        return routerSettings;
    }
}
