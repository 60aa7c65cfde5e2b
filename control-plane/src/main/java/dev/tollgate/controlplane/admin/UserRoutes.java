package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.budget.BudgetWindow;
import dev.tollgate.controlplane.budget.Limits;
import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.keys.KeyRecord;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.usage.SpendQueries;
import dev.tollgate.controlplane.users.UserRecord;
import dev.tollgate.controlplane.users.UserRepository;
import io.helidon.webserver.http.ServerRequest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /user/*}: create (with a first key unless {@code auto_create_key} is false, as LiteLLM
 * does), inspect, list, update and delete users. Every change is audited and published before the
 * call returns. Thread-safe.
 */
public final class UserRoutes {

    private final UserRepository users;
    private final KeyRepository keys;
    private final SpendQueries usage;
    private final Changes changes;
    private final KeyRoutes keyRoutes;
    private final Clock clock;

    public UserRoutes(UserRepository users, KeyRepository keys, SpendQueries usage, Changes changes,
                      KeyRoutes keyRoutes, Clock clock) {
        this.users = users;
        this.keys = keys;
        this.usage = usage;
        this.changes = changes;
        this.keyRoutes = keyRoutes;
        this.clock = clock;
    }

    JsonNode create(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        Instant now = clock.instant();
        String id = Fields.text(body, "user_id").orElse(UUID.randomUUID().toString());
        UserRecord user = apply(body, new UserRecord(id, Optional.empty(), Optional.empty(), List.of(), Limits.none(now),
                "{}", now), now);
        boolean withKey = !body.has("auto_create_key") || body.path("auto_create_key").asBoolean(true);
        String key = KeyHashing.newKey();
        changes.make((c, audit) -> {
            if (!users.insert(c, user)) {
                throw new AdminException(409, "invalid_request_error", "already_exists", "user_id",
                        "user_id: a user '" + id + "' exists already");
            }
            audit.record("user.new", "user", id, body);
            if (withKey) {
                KeyRecord record = new KeyRecord(UUID.randomUUID(), KeyHashing.sha256Hex(key), KeyHashing.hint(key),
                        Fields.text(body, "key_alias"), user.models(), "{}", false, Optional.empty(), now,
                        Optional.empty(), Optional.of(id), Limits.none(now), Map.of(), Map.of());
                keys.insert(c, record);
                audit.record("key.generate", "key", record.keyHash(),
                        AdminServer.JSON.createObjectNode().put("user_id", id));
            }
            return user;
        });
        ObjectNode out = describe(user);
        if (withKey) {
            out.put("key", key);
        }
        return out;
    }

    JsonNode info(ServerRequest req) throws Exception {
        String id = req.query().first("user_id").orElseThrow(() -> AdminException.badRequest("user_id",
                "query parameter user_id is required: /user/info?user_id=..."));
        UserRecord user = users.find(id).orElseThrow(() -> noSuchUser(id));
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("user_id", id);
        out.set("user_info", describe(user));
        ArrayNode list = out.putArray("keys");
        for (KeyRecord key : keys.byUser(id)) {
            list.add(keyRoutes.describeWithoutSpend(key));
        }
        return out;
    }

    JsonNode list(ServerRequest req) throws Exception {
        ObjectNode out = AdminServer.JSON.createObjectNode();
        ArrayNode list = out.putArray("users");
        for (UserRecord user : users.all()) {
            list.add(describe(user));
        }
        return out;
    }

    JsonNode update(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        String id = Fields.text(body, "user_id").orElseThrow(() -> AdminException.badRequest("user_id",
                "user_id: required"));
        UserRecord updated = changes.make((c, audit) -> {
            UserRecord current = users.findForUpdate(c, id).orElseThrow(() -> noSuchUser(id));
            UserRecord next = apply(body, current, clock.instant());
            users.update(c, next, clock.instant());
            audit.record("user.update", "user", id, body);
            return next;
        });
        return describe(updated);
    }

    JsonNode delete(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        List<String> ids = Fields.stringList(body, "user_ids");
        if (ids.isEmpty()) {
            throw AdminException.badRequest("user_ids", "user_ids: expected a non-empty list of user ids");
        }
        List<String> deleted = changes.make((c, audit) -> {
            List<String> gone = users.delete(c, ids);
            for (String id : gone) {
                audit.record("user.delete", "user", id, AdminServer.JSON.createObjectNode());
            }
            return gone;
        });
        if (deleted.isEmpty()) {
            throw AdminException.notFound("user_ids", "none of the " + ids.size() + " user(s) exists");
        }
        ObjectNode out = AdminServer.JSON.createObjectNode();
        ArrayNode list = out.putArray("deleted_users");
        deleted.forEach(list::add);
        return out;
    }

    private static UserRecord apply(JsonNode body, UserRecord base, Instant now) {
        return new UserRecord(base.id(),
                Fields.given(body, "user_email") ? Fields.text(body, "user_email") : base.userEmail(),
                Fields.given(body, "user_role") ? Fields.text(body, "user_role") : base.userRole(),
                Fields.given(body, "models") ? Fields.stringList(body, "models") : base.models(),
                LimitsJson.apply(body, base.limits(), now),
                Fields.given(body, "metadata") ? Fields.object(body, "metadata").orElse("{}") : base.metadata(),
                base.createdAt());
    }

    private ObjectNode describe(UserRecord user) throws SQLException {
        Instant now = clock.instant();
        BudgetWindow window = user.limits().window(now);
        long spend = usage.spendMicros(SpendQueries.Owner.USER, user.id(), window.start(), window.end());
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("user_id", user.id());
        out.put("user_email", user.userEmail().orElse(null));
        out.put("user_role", user.userRole().orElse(null));
        ArrayNode models = out.putArray("models");
        user.models().forEach(models::add);
        LimitsJson.describe(out, user.limits(), spend, now);
        try {
            out.set("metadata", AdminServer.JSON.readTree(user.metadata()));
        } catch (java.io.IOException e) {
            throw new SQLException("users.metadata is not JSON", e);
        }
        out.put("created_at", user.createdAt().toString());
        return out;
    }

    private static AdminException noSuchUser(String id) {
        return AdminException.notFound("user_id", "no user '" + id + "'");
    }
}
