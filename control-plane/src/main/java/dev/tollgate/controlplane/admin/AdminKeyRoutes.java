package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.adminkeys.AdminKeyRecord;
import dev.tollgate.controlplane.adminkeys.AdminKeyRepository;
import dev.tollgate.controlplane.keys.KeyHashing;
import io.helidon.webserver.http.ServerRequest;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /admin_key/*}: admin API keys with a role. Only the master key mints or deletes them, so an
 * admin key cannot raise itself or others; anyone with a role may list them (hashes and hints only).
 * Thread-safe.
 */
public final class AdminKeyRoutes {

    private static final System.Logger LOG = System.getLogger(AdminKeyRoutes.class.getName());

    private final AdminKeyRepository keys;
    private final Changes changes;
    private final Clock clock;

    public AdminKeyRoutes(AdminKeyRepository keys, Changes changes, Clock clock) {
        this.keys = keys;
        this.changes = changes;
        this.clock = clock;
    }

    JsonNode create(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        String role = Fields.text(body, "role").orElseThrow(() -> AdminException.badRequest("role",
                "role: required (admin or viewer)"));
        if (!role.equals("admin") && !role.equals("viewer")) {
            throw AdminException.badRequest("role", "role: \"" + role + "\" (expected: admin or viewer)");
        }
        String key = "sk-admin-" + KeyHashing.newKey().substring(3);
        AdminKeyRecord record = new AdminKeyRecord(UUID.randomUUID(), KeyHashing.sha256Hex(key), KeyHashing.hint(key),
                Fields.text(body, "key_alias"), role, clock.instant());
        changes.make((c, audit) -> {
            keys.insert(c, record);
            audit.record("admin_key.create", "admin_key", record.keyHash(),
                    AdminServer.JSON.createObjectNode().put("role", role).put("key_alias", record.keyAlias().orElse(null)));
            return null;
        });
        LOG.log(System.Logger.Level.INFO, "admin key " + record.keyHint() + " created with role " + role);
        ObjectNode out = describe(record);
        out.put("key", key);
        return out;
    }

    JsonNode list(ServerRequest req) throws Exception {
        ObjectNode out = AdminServer.JSON.createObjectNode();
        ArrayNode list = out.putArray("keys");
        for (AdminKeyRecord record : keys.all()) {
            list.add(describe(record));
        }
        return out;
    }

    JsonNode delete(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        List<String> given = Fields.stringList(body, "keys");
        if (given.isEmpty()) {
            throw AdminException.badRequest("keys", "keys: expected a non-empty list of admin keys or their tokens");
        }
        Set<String> hashes = new LinkedHashSet<>();
        given.forEach(k -> hashes.add(KeyRoutes.hashOf(k)));
        List<String> deleted = changes.make((c, audit) -> {
            List<String> gone = keys.deleteByHash(c, hashes);
            for (String hash : gone) {
                audit.record("admin_key.delete", "admin_key", hash, AdminServer.JSON.createObjectNode());
            }
            return gone;
        });
        if (deleted.isEmpty()) {
            throw AdminException.notFound("keys", "none of the " + hashes.size() + " admin key(s) exists");
        }
        ObjectNode out = AdminServer.JSON.createObjectNode();
        ArrayNode list = out.putArray("deleted_keys");
        deleted.forEach(list::add);
        return out;
    }

    private static ObjectNode describe(AdminKeyRecord r) {
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("token", r.keyHash());
        out.put("key_name", r.keyHint());
        out.put("key_alias", r.keyAlias().orElse(null));
        out.put("role", r.role());
        out.put("created_at", r.createdAt().toString());
        return out;
    }
}
