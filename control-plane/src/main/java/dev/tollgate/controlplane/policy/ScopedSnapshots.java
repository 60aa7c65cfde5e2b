package dev.tollgate.controlplane.policy;

import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.Principal;
import dev.tollgate.proto.control.v1.RouterSettings;
import dev.tollgate.proto.control.v1.RoutingFallbacks;
import dev.tollgate.proto.control.v1.VirtualKey;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cuts a full policy snapshot down to what a team-scoped sidecar may hold: the virtual keys of its
 * teams, those teams and the users of those keys, the aliases the teams may use (a team without a
 * model list may use every alias) and so only the credentials of those aliases' deployments, and
 * router settings that name no other alias. Keeps one cut per scope for the current version, so N
 * sidecars of one scope cost one filtering per publish. Thread-safe.
 */
public final class ScopedSnapshots {

    private record Cut(long version, PolicySnapshot snapshot) {
    }

    private final Map<Set<String>, Cut> cuts = new ConcurrentHashMap<>();

    /** {@code snapshot} as a sidecar scoped to {@code teams} sees it; {@code teams} empty: the whole snapshot. */
    public PolicySnapshot forTeams(PolicySnapshot snapshot, Set<String> teams) {
        if (teams.isEmpty()) {
            return snapshot;
        }
        Cut cut = cuts.compute(Set.copyOf(teams), (scope, held) -> held != null && held.version() == snapshot.getVersion()
                ? held : new Cut(snapshot.getVersion(), filter(snapshot, scope)));
        return cut.snapshot();
    }

    static PolicySnapshot filter(PolicySnapshot full, Set<String> teams) {
        PolicySnapshot.Builder out = full.toBuilder().clearAliases().clearKeys().clearPrincipals();
        Set<String> users = new HashSet<>();
        for (VirtualKey key : full.getKeysList()) {
            if (teams.contains(key.getTeamId())) {
                out.addKeys(key);
                if (!key.getUserId().isEmpty()) {
                    users.add(key.getUserId());
                }
            }
        }
        boolean everyAlias = false;
        Set<String> allowed = new HashSet<>();
        for (Principal p : full.getPrincipalsList()) {
            if (p.getKind().equals("team") && teams.contains(p.getId())) {
                out.addPrincipals(p);
                everyAlias |= p.getModelsCount() == 0;
                allowed.addAll(p.getModelsList());
            } else if (p.getKind().equals("user") && users.contains(p.getId())) {
                out.addPrincipals(p);
            }
        }
        for (Alias alias : full.getAliasesList()) {
            if (everyAlias || allowed.contains(alias.getName())) {
                out.addAliases(alias);
            }
        }
        if (!everyAlias && full.hasRouterSettings()) {
            Set<String> kept = new HashSet<>();
            out.getAliasesList().forEach(a -> kept.add(a.getName()));
            out.setRouterSettings(routerSettings(full.getRouterSettings(), kept));
        }
        return out.build();
    }

    private static RouterSettings routerSettings(RouterSettings full, Set<String> kept) {
        RouterSettings.Builder b = full.toBuilder().clearFallbacks().clearContextWindowFallbacks()
                .clearContentPolicyFallbacks().clearDefaultFallbacks().clearModelGroupAlias();
        full.getFallbacksMap().forEach((alias, list) -> keep(alias, list, kept).ifPresent(l -> b.putFallbacks(alias, l)));
        full.getContextWindowFallbacksMap().forEach((alias, list) -> keep(alias, list, kept)
                .ifPresent(l -> b.putContextWindowFallbacks(alias, l)));
        full.getContentPolicyFallbacksMap().forEach((alias, list) -> keep(alias, list, kept)
                .ifPresent(l -> b.putContentPolicyFallbacks(alias, l)));
        full.getDefaultFallbacksList().stream().filter(kept::contains).forEach(b::addDefaultFallbacks);
        full.getModelGroupAliasMap().forEach((name, alias) -> {
            if (kept.contains(alias)) {
                b.putModelGroupAlias(name, alias);
            }
        });
        return b.build();
    }

    private static java.util.Optional<RoutingFallbacks> keep(String alias, RoutingFallbacks list, Set<String> kept) {
        if (!kept.contains(alias)) {
            return java.util.Optional.empty();
        }
        List<String> targets = list.getAliasesList().stream().filter(kept::contains).toList();
        return java.util.Optional.of(RoutingFallbacks.newBuilder().addAllAliases(targets).build());
    }
}
