package dev.tollgate.controlplane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.Principal;
import dev.tollgate.proto.control.v1.RouterSettings;
import dev.tollgate.proto.control.v1.RoutingFallbacks;
import dev.tollgate.proto.control.v1.VirtualKey;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a team-scoped sidecar's snapshot keeps, router settings included. */
class ScopedSnapshotsTest {

    private static final PolicySnapshot FULL = PolicySnapshot.newBuilder().setVersion(7)
            .addAliases(alias("a")).addAliases(alias("b")).addAliases(alias("c"))
            .addKeys(VirtualKey.newBuilder().setKeyHash("k1").setTeamId("t1").setUserId("u1"))
            .addKeys(VirtualKey.newBuilder().setKeyHash("k2").setTeamId("t2").setUserId("u2"))
            .addKeys(VirtualKey.newBuilder().setKeyHash("k3"))
            .addPrincipals(Principal.newBuilder().setKind("team").setId("t1").addModels("a").addModels("b"))
            .addPrincipals(Principal.newBuilder().setKind("team").setId("t2"))
            .addPrincipals(Principal.newBuilder().setKind("user").setId("u1"))
            .addPrincipals(Principal.newBuilder().setKind("user").setId("u2"))
            .setRouterSettings(RouterSettings.newBuilder()
                    .putFallbacks("a", RoutingFallbacks.newBuilder().addAliases("c").addAliases("b").build())
                    .putFallbacks("c", RoutingFallbacks.newBuilder().addAliases("a").build())
                    .addDefaultFallbacks("c").addDefaultFallbacks("b")
                    .putModelGroupAlias("gpt-4", "a").putModelGroupAlias("claude", "c"))
            .build();

    private static Alias alias(String name) {
        return Alias.newBuilder().setName(name).addDeployments(Deployment.newBuilder().setId(name + "#0")
                .setApiKey("secret-of-" + name)).build();
    }

    @Test
    void teamWithAModelListKeepsItsKeysUsersAliasesAndFallbacksAmongThem() {
        PolicySnapshot s = ScopedSnapshots.filter(FULL, Set.of("t1"));
        assertEquals(List.of("k1"), s.getKeysList().stream().map(VirtualKey::getKeyHash).toList());
        assertEquals(List.of("t1", "u1"), s.getPrincipalsList().stream().map(Principal::getId).toList());
        assertEquals(List.of("a", "b"), s.getAliasesList().stream().map(Alias::getName).toList());
        assertEquals(List.of("b"), s.getRouterSettings().getFallbacksOrThrow("a").getAliasesList());
        assertEquals(Set.of("a"), s.getRouterSettings().getFallbacksMap().keySet());
        assertEquals(List.of("b"), s.getRouterSettings().getDefaultFallbacksList());
        assertEquals(Set.of("gpt-4"), s.getRouterSettings().getModelGroupAliasMap().keySet());
        assertEquals(7, s.getVersion());
    }

    @Test
    void teamWithoutAModelListKeepsEveryAliasButOnlyItsKeys() {
        PolicySnapshot s = ScopedSnapshots.filter(FULL, Set.of("t2"));
        assertEquals(List.of("k2"), s.getKeysList().stream().map(VirtualKey::getKeyHash).toList());
        assertEquals(3, s.getAliasesCount());
        assertEquals(FULL.getRouterSettings(), s.getRouterSettings());
    }

    @Test
    void unknownTeamGetsNoKeysAndNoCredentials() {
        PolicySnapshot s = ScopedSnapshots.filter(FULL, Set.of("gone"));
        assertEquals(0, s.getKeysCount());
        assertEquals(0, s.getAliasesCount());
        assertEquals(0, s.getPrincipalsCount());
    }

    @Test
    void oneCutPerScopeAndVersionIsShared() {
        ScopedSnapshots scoped = new ScopedSnapshots();
        assertSame(scoped.forTeams(FULL, Set.of("t1")), scoped.forTeams(FULL, Set.of("t1")));
        assertSame(FULL, scoped.forTeams(FULL, Set.of()));
    }
}
