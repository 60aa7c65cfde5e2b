package dev.tollgate.sidecar.policy;

import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.Limits;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.Principal;
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

    /**
     * What a virtual key may do. {@code models} empty means every alias; a key of a team or user
     * may use an alias only if the team and the user allow it too.
     *
     * @param aliases   names the app may send instead of an alias (LiteLLM key {@code aliases})
     * @param owners    the key's team and user, when it has them, with their limits
     * @param key       the key as pushed, with its own limits and per-alias budgets
     */
    public record KeyGrant(String keyId, String keyAlias, Set<String> models, boolean blocked, long expiresAtMs,
                           Map<String, String> aliases, List<Principal> owners, VirtualKey key) {

        public KeyGrant {
            models = Set.copyOf(models);
            aliases = Map.copyOf(aliases);
            owners = List.copyOf(owners);
        }

        public KeyGrant(String keyId, String keyAlias, Set<String> models, boolean blocked, long expiresAtMs) {
            this(keyId, keyAlias, models, blocked, expiresAtMs, Map.of(), List.of(),
                    VirtualKey.newBuilder().setKeyId(keyId).setKeyAlias(keyAlias).build());
        }

        public boolean mayUse(String alias) {
            if (!models.isEmpty() && !models.contains(alias)) {
                return false;
            }
            return owners.stream().allMatch(o -> o.getModelsCount() == 0 || o.getModelsList().contains(alias));
        }

        /** The alias a requested model name stands for under this key's {@code aliases}. */
        public String resolveAlias(String requested) {
            return aliases.getOrDefault(requested, requested);
        }

        /** A blocked team or user blocks its keys: which one, if any. */
        public Optional<Principal> blockedOwner() {
            return owners.stream().filter(Principal::getBlocked).findFirst();
        }

        /** The key's own limits. */
        public Limits limits() {
            return key.getLimits();
        }

        public String teamId() {
            return key.getTeamId();
        }

        public String userId() {
            return key.getUserId();
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
        Map<String, Principal> principals = new HashMap<>();
        for (Principal p : snapshot.getPrincipalsList()) {
            principals.put(p.getKind() + ":" + p.getId(), p);
        }
        Map<String, KeyGrant> keys = new HashMap<>();
        for (VirtualKey key : snapshot.getKeysList()) {
            if (key.getKeyHash().length() != 64) {
                throw new IllegalArgumentException("key " + key.getKeyId() + ": hash is not SHA-256 hex");
            }
            List<Principal> owners = new java.util.ArrayList<>();
            boolean orphan = false;
            for (String[] owner : List.of(new String[] {"team", key.getTeamId()}, new String[] {"user", key.getUserId()})) {
                if (!owner[1].isEmpty()) {
                    Principal p = principals.get(owner[0] + ":" + owner[1]);
                    // A key whose team or user is gone was deleted with it (the compiler read them apart).
                    orphan |= p == null;
                    if (p != null) {
                        owners.add(p);
                    }
                }
            }
            if (orphan) {
                continue;
            }
            keys.put(key.getKeyHash(), new KeyGrant(key.getKeyId(), key.getKeyAlias(), Set.copyOf(key.getModelsList()),
                    key.getBlocked(), key.getExpiresAtMs(), key.getAliasesMap(), owners, key));
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
