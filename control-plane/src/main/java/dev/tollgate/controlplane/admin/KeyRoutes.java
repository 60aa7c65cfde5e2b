package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.budget.BudgetDuration;
import dev.tollgate.controlplane.budget.BudgetWindow;
import dev.tollgate.controlplane.budget.Limits;
import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.keys.KeyRecord;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.teams.TeamRecord;
import dev.tollgate.controlplane.teams.TeamRepository;
import dev.tollgate.controlplane.usage.SpendQueries;
import dev.tollgate.controlplane.users.UserRepository;
import io.helidon.webserver.http.ServerRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /key/*}: generate, inspect, list, update, regenerate, block, unblock and delete virtual
 * keys, with LiteLLM's field names. Every change commits with its audit row and is published to
 * the sidecars before the call returns. Thread-safe.
 */
public final class KeyRoutes {

    private static final System.Logger LOG = System.getLogger(KeyRoutes.class.getName());
    private static final int MAX_PAGE_SIZE = 1000;

    private final KeyRepository keys;
    private final TeamRepository teams;
    private final UserRepository users;
    private final SpendQueries usage;
    private final Changes changes;
    private final Clock clock;

    public KeyRoutes(KeyRepository keys, TeamRepository teams, UserRepository users, SpendQueries usage,
                     Changes changes, Clock clock) {
        this.keys = keys;
        this.teams = teams;
        this.users = users;
        this.usage = usage;
        this.changes = changes;
        this.clock = clock;
    }

    JsonNode generate(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        Instant now = clock.instant();
        String key = KeyHashing.newKey();
        KeyRecord blank = new KeyRecord(UUID.randomUUID(), KeyHashing.sha256Hex(key), KeyHashing.hint(key),
                Optional.empty(), List.of(), "{}", false, Optional.empty(), now, Optional.empty(), Optional.empty(),
                Limits.none(now), Map.of(), Map.of());
        KeyRecord record = changes.make((c, audit) -> {
            KeyRecord r = applyFields(c, body, blank, now);
            keys.insert(c, r);
            audit.record("key.generate", "key", r.keyHash(), auditDetails(body));
            return r;
        });
        LOG.log(System.Logger.Level.INFO, "virtual key " + record.keyHint() + " created (id " + record.id() + ")");
        ObjectNode out = describe(record);
        out.put("key", key);
        return out;
    }

    JsonNode info(ServerRequest req) throws Exception {
        String key = req.query().first("key").orElseThrow(
                () -> AdminException.badRequest("key", "query parameter key is required: /key/info?key=sk-..."));
        KeyRecord record = find(key);
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("key", record.keyHash());
        out.set("info", describe(record));
        return out;
    }

    JsonNode list(ServerRequest req) throws Exception {
        Optional<String> team = req.query().first("team_id").asOptional();
        Optional<String> user = req.query().first("user_id").asOptional();
        Optional<String> alias = req.query().first("key_alias").asOptional();
        int page = SpendRoutes.intParam(req, "page", 1);
        int size = SpendRoutes.intParam(req, "size", 100);
        if (page < 1 || size < 1 || size > MAX_PAGE_SIZE) {
            throw AdminException.badRequest("size", "page: " + page + ", size: " + size
                    + " (expected: page >= 1, size 1-" + MAX_PAGE_SIZE + ")");
        }
        List<KeyRecord> all = keys.all().stream()
                .filter(k -> team.isEmpty() || team.equals(k.teamId()))
                .filter(k -> user.isEmpty() || user.equals(k.userId()))
                .filter(k -> alias.isEmpty() || alias.equals(k.keyAlias()))
                .toList();
        ObjectNode out = AdminServer.JSON.createObjectNode();
        ArrayNode list = out.putArray("keys");
        int from = Math.min(all.size(), (page - 1) * size);
        for (KeyRecord record : all.subList(from, Math.min(all.size(), from + size))) {
            list.add(describeWithoutSpend(record));
        }
        out.put("total_count", all.size());
        out.put("current_page", page);
        out.put("total_pages", (all.size() + size - 1) / size);
        return out;
    }

    JsonNode update(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        String hash = hashOf(requiredKey(body));
        KeyRecord updated = changes.make((c, audit) -> {
            KeyRecord current = keys.findByHashForUpdate(c, hash).orElseThrow(KeyRoutes::noSuchKey);
            KeyRecord next = applyFields(c, body, current, clock.instant());
            keys.update(c, next, clock.instant());
            audit.record("key.update", "key", hash, auditDetails(body));
            return next;
        });
        return describe(updated);
    }

    JsonNode regenerate(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        String hash = hashOf(requiredKey(body));
        String key = KeyHashing.newKey();
        KeyRecord regenerated = changes.make((c, audit) -> {
            KeyRecord current = keys.findByHashForUpdate(c, hash).orElseThrow(KeyRoutes::noSuchKey);
            KeyRecord next = applyFields(c, body, current, clock.instant());
            keys.update(c, next, clock.instant());
            String newHash = KeyHashing.sha256Hex(key);
            keys.rehash(c, current.id(), newHash, KeyHashing.hint(key), clock.instant());
            ObjectNode details = auditDetails(body);
            details.put("new_token", newHash);
            audit.record("key.regenerate", "key", hash, details);
            return keys.findByHashForUpdate(c, newHash).orElseThrow();
        });
        LOG.log(System.Logger.Level.INFO, "virtual key " + regenerated.id() + " regenerated; the old key text is void");
        ObjectNode out = describe(regenerated);
        out.put("key", key);
        return out;
    }

    JsonNode block(ServerRequest req) throws Exception {
        return setBlocked(req, true);
    }

    JsonNode unblock(ServerRequest req) throws Exception {
        return setBlocked(req, false);
    }

    private JsonNode setBlocked(ServerRequest req, boolean blocked) throws Exception {
        JsonNode body = AdminServer.body(req);
        String hash = hashOf(requiredKey(body));
        KeyRecord updated = changes.make((c, audit) -> {
            KeyRecord r = keys.findByHashForUpdate(c, hash).orElseThrow(KeyRoutes::noSuchKey);
            KeyRecord next = new KeyRecord(r.id(), r.keyHash(), r.keyHint(), r.keyAlias(), r.models(), r.metadata(),
                    blocked, r.expiresAt(), r.createdAt(), r.teamId(), r.userId(), r.limits(), r.modelMaxBudget(),
                    r.aliases());
            keys.update(c, next, clock.instant());
            audit.record(blocked ? "key.block" : "key.unblock", "key", hash, AdminServer.JSON.createObjectNode());
            return next;
        });
        return describe(updated);
    }

    JsonNode delete(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        List<String> given = Fields.stringList(body, "keys");
        if (given.isEmpty()) {
            throw AdminException.badRequest("keys", "keys: expected a non-empty list of keys (sk-...) or key hashes");
        }
        Set<String> hashes = new LinkedHashSet<>();
        for (String key : given) {
            hashes.add(hashOf(key));
        }
        List<String> deleted = changes.make((c, audit) -> {
            List<String> gone = keys.deleteByHash(c, hashes);
            for (String hash : gone) {
                audit.record("key.delete", "key", hash, AdminServer.JSON.createObjectNode());
            }
            return gone;
        });
        if (deleted.isEmpty()) {
            throw AdminException.notFound("keys", "none of the " + hashes.size() + " key(s) exists");
        }
        LOG.log(System.Logger.Level.INFO, deleted.size() + " virtual key(s) deleted");
        ObjectNode out = AdminServer.JSON.createObjectNode();
        ArrayNode list = out.putArray("deleted_keys");
        deleted.forEach(list::add);
        return out;
    }

    /** {@code base} with every field present in {@code body} applied and checked against its team and user. */
    private KeyRecord applyFields(Connection c, JsonNode body, KeyRecord base, Instant now) throws SQLException {
        Optional<String> keyAlias = Fields.given(body, "key_alias") ? Fields.text(body, "key_alias") : base.keyAlias();
        List<String> models = Fields.given(body, "models") ? Fields.stringList(body, "models") : base.models();
        String metadata = Fields.given(body, "metadata") ? Fields.object(body, "metadata").orElse("{}") : base.metadata();
        Optional<Instant> expires = Fields.given(body, "duration")
                ? Fields.text(body, "duration").map(d -> now.plus(parseDuration(d))) : base.expiresAt();
        boolean blocked = body.has("blocked") ? body.path("blocked").asBoolean(false) : base.blocked();
        Optional<String> teamId = Fields.given(body, "team_id") ? Fields.text(body, "team_id") : base.teamId();
        Optional<String> userId = Fields.given(body, "user_id") ? Fields.text(body, "user_id") : base.userId();
        Limits limits = LimitsJson.apply(body, base.limits(), now);
        Map<String, Limits> modelBudgets = Fields.given(body, "model_max_budget")
                ? modelMaxBudget(body.path("model_max_budget"), limits) : base.modelMaxBudget();
        Map<String, String> aliases = Fields.given(body, "aliases") ? Fields.stringMap(body, "aliases") : base.aliases();
        if (teamId.isPresent()) {
            TeamRecord team = teams.findForUpdate(c, teamId.get()).orElseThrow(() -> AdminException.badRequest("team_id",
                    "team_id: no team '" + teamId.get() + "' (create it with POST /team/new)"));
            List<String> outside = models.stream().filter(m -> !team.models().isEmpty() && !team.models().contains(m))
                    .toList();
            if (!outside.isEmpty()) {
                throw AdminException.badRequest("models", "models: " + outside + " are not among team '" + team.id()
                        + "' models " + team.models());
            }
        }
        if (userId.isPresent() && users.findForUpdate(c, userId.get()).isEmpty()) {
            throw AdminException.badRequest("user_id", "user_id: no user '" + userId.get()
                    + "' (create it with POST /user/new)");
        }
        return new KeyRecord(base.id(), base.keyHash(), base.keyHint(), keyAlias, models, metadata, blocked, expires,
                base.createdAt(), teamId, userId, limits, modelBudgets, aliases);
    }

    /**
     * LiteLLM's two shapes: {@code {"alias": 0.5}} (a budget in the key's own budget_duration) or
     * {@code {"alias": {"budget_limit": 0.5, "time_period": "1d"}}}.
     */
    private static Map<String, Limits> modelMaxBudget(JsonNode node, Limits keyLimits) {
        Map<String, Limits> out = new LinkedHashMap<>();
        if (node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw AdminException.badRequest("model_max_budget", "model_max_budget: expected an object "
                    + "{\"<alias>\": {\"budget_limit\": 0.5, \"time_period\": \"1d\"}}");
        }
        node.fields().forEachRemaining(f -> {
            String field = "model_max_budget." + f.getKey();
            JsonNode v = f.getValue();
            long micros;
            Optional<BudgetDuration> period = keyLimits.budgetDuration();
            if (v.isObject()) {
                micros = Fields.moneyValue(v.path("budget_limit"), field + ".budget_limit");
                if (v.hasNonNull("time_period")) {
                    period = Fields.duration(v, "time_period");
                }
            } else {
                micros = Fields.moneyValue(v, field);
            }
            out.put(f.getKey(), new Limits(Optional.of(micros), Optional.empty(), period, keyLimits.budgetAnchor(),
                    Optional.empty(), Optional.empty(), Optional.empty()));
        });
        return out;
    }

    private KeyRecord find(String keyOrHash) throws SQLException {
        return keys.findByHash(hashOf(keyOrHash)).orElseThrow(KeyRoutes::noSuchKey);
    }

    private static AdminException noSuchKey() {
        return AdminException.notFound("key", "no such virtual key (it was never created or has been deleted)");
    }

    private static String requiredKey(JsonNode body) {
        return Fields.text(body, "key").orElseThrow(() -> AdminException.badRequest("key",
                "key: required (the key sk-... or its hash)"));
    }

    /** What a change set, for the audit row: the request's field names and values, minus any key. */
    private static ObjectNode auditDetails(JsonNode body) {
        ObjectNode details = body.deepCopy();
        details.remove("key");
        return details;
    }

    /** The key's record with its current window's spend. */
    private ObjectNode describe(KeyRecord record) throws SQLException {
        Instant now = clock.instant();
        BudgetWindow window = record.limits().window(now);
        long spend = usage.spendMicros(SpendQueries.Owner.KEY, record.id().toString(), window.start(), window.end());
        ObjectNode out = describeWithoutSpend(record);
        LimitsJson.describe(out, record.limits(), spend, now);
        ObjectNode modelSpend = out.putObject("model_spend");
        for (Map.Entry<String, Limits> e : record.modelMaxBudget().entrySet()) {
            BudgetWindow w = e.getValue().window(now);
            modelSpend.put(e.getKey(), dev.tollgate.controlplane.budget.Money.usd(
                    usage.spendMicros(record.id(), e.getKey(), w.start(), w.end())));
        }
        return out;
    }

    ObjectNode describeWithoutSpend(KeyRecord record) throws SQLException {
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("token", record.keyHash());
        out.put("key_name", record.keyHint());
        out.put("key_alias", record.keyAlias().orElse(null));
        ArrayNode models = out.putArray("models");
        record.models().forEach(models::add);
        try {
            out.set("metadata", AdminServer.JSON.readTree(record.metadata()));
        } catch (java.io.IOException e) {
            throw new SQLException("virtual_keys.metadata is not JSON", e);
        }
        out.put("blocked", record.blocked());
        out.put("expires", record.expiresAt().map(Instant::toString).orElse(null));
        out.put("created_at", record.createdAt().toString());
        out.put("team_id", record.teamId().orElse(null));
        out.put("user_id", record.userId().orElse(null));
        LimitsJson.describe(out, record.limits(), 0, clock.instant());
        out.remove(List.of("spend", "remaining_budget", "soft_budget_exceeded", "budget_window_start"));
        ObjectNode budgets = out.putObject("model_max_budget");
        record.modelMaxBudget().forEach((alias, l) -> budgets.putObject(alias)
                .put("budget_limit", dev.tollgate.controlplane.budget.Money.usd(l.maxBudgetMicros().orElse(0L)))
                .put("time_period", l.budgetDuration().map(BudgetDuration::text).orElse(null)));
        ObjectNode aliases = out.putObject("aliases");
        record.aliases().forEach(aliases::put);
        return out;
    }

    static String hashOf(String keyOrHash) {
        return KeyHashing.isHash(keyOrHash) ? keyOrHash : KeyHashing.sha256Hex(keyOrHash);
    }

    /** LiteLLM durations: {@code 30s}, {@code 15m}, {@code 1h}, {@code 7d}. */
    static Duration parseDuration(String text) {
        Duration d;
        try {
            d = BudgetDuration.parse(text).duration();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw AdminException.badRequest("duration", "duration: " + e.getMessage());
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw AdminException.badRequest("duration", "duration: \"" + text + "\" (expected: at most 36500000d)");
        }
        return d;
    }

    /**
     * The longest key lifetime accepted: far beyond any real use, and short enough that the expiry
     * stays inside PostgreSQL's timestamp range (which ends in the year 294276).
     */
    private static final Duration MAX_DURATION = Duration.ofDays(36_500_000);
}
