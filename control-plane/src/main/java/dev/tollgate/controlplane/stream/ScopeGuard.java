package dev.tollgate.controlplane.stream;

import dev.tollgate.controlplane.sidecars.SidecarScope;
import dev.tollgate.proto.control.v1.LeaseSubject;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.Principal;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.proto.control.v1.VirtualKey;
import java.util.HashSet;
import java.util.Set;

/**
 * What a team-scoped sidecar may report and lease: usage of its teams' requests only, leases only
 * on keys, teams and users of its scoped snapshot. A sidecar that asks beyond its scope is broken or
 * hostile; without this it could spend another team's budget or read its spending from lease
 * grants. Unscoped sidecars pass everything. Thread-safe: the index is an immutable value swapped
 * as a whole when a new snapshot is sent.
 */
final class ScopeGuard {

    private record Index(Set<String> keyIds, Set<String> userIds) {
    }

    private final SidecarScope scope;
    private volatile Index index = new Index(Set.of(), Set.of());

    ScopeGuard(SidecarScope scope) {
        this.scope = scope;
    }

    /** Called with each snapshot sent to this sidecar (already cut to its scope). */
    void sent(PolicySnapshot scoped) {
        if (scope.unscoped()) {
            return;
        }
        Set<String> keys = new HashSet<>();
        Set<String> users = new HashSet<>();
        for (VirtualKey k : scoped.getKeysList()) {
            keys.add(k.getKeyId());
        }
        for (Principal p : scoped.getPrincipalsList()) {
            if (p.getKind().equals("user")) {
                users.add(p.getId());
            }
        }
        index = new Index(Set.copyOf(keys), Set.copyOf(users));
    }

    /** A usage record belongs to the scope when its request ran under one of the scope's teams. */
    boolean allows(UsageRecord record) {
        return scope.unscoped() || scope.teams().contains(record.getTeamId());
    }

    boolean allows(LeaseSubject subject) {
        if (scope.unscoped()) {
            return true;
        }
        Index held = index;
        String id = subject.getEntityId();
        return switch (subject.getEntityKind()) {
            case "team" -> scope.teams().contains(id);
            case "user" -> held.userIds().contains(id);
            case "key" -> held.keyIds().contains(id);
            case "key_model" -> held.keyIds().contains(id.substring(0, Math.max(0, id.indexOf('/'))));
            default -> false;
        };
    }
}
