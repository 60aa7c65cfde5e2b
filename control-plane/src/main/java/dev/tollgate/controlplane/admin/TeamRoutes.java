package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.budget.BudgetWindow;
import dev.tollgate.controlplane.budget.Limits;
import dev.tollgate.controlplane.keys.KeyRecord;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.teams.TeamRecord;
import dev.tollgate.controlplane.teams.TeamRepository;
import dev.tollgate.controlplane.usage.SpendQueries;
import io.helidon.webserver.http.ServerRequest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /team/*}: create, inspect, list, update and delete teams, with LiteLLM's field names.
 * Deleting a team deletes its keys. Every change is audited and published before the call
 * returns. Thread-safe.
 */
public final class TeamRoutes {

    private final TeamRepository teams;
    private final KeyRepository keys;
    private final SpendQueries usage;
    private final Changes changes;
    private final KeyRoutes keyRoutes;
    private final Clock clock;

    public TeamRoutes(TeamRepository teams, KeyRepository keys, SpendQueries usage, Changes changes,
                      KeyRoutes keyRoutes, Clock clock) {
        this.teams = teams;
        this.keys = keys;
        this.usage = usage;
        this.changes = changes;
        this.keyRoutes = keyRoutes;
        this.clock = clock;
    }

    JsonNode create(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        Instant now = clock.instant();
        String id = Fields.text(body, "team_id").orElse(UUID.randomUUID().toString());
        TeamRecord team = apply(body, new TeamRecord(id, Optional.empty(), List.of(), Limits.none(now), "{}", false, now),
                now);
        changes.make((c, audit) -> {
            if (!teams.insert(c, team)) {
                throw new AdminException(409, "invalid_request_error", "already_exists", "team_id",
                        "team_id: a team '" + id + "' exists already");
            }
            audit.record("team.new", "team", id, body);
            return team;
        });
        return describe(team);
    }

    JsonNode info(ServerRequest req) throws Exception {
        String id = req.query().first("team_id").orElseThrow(() -> AdminException.badRequest("team_id",
                "query parameter team_id is required: /team/info?team_id=..."));
        TeamRecord team = teams.find(id).orElseThrow(() -> noSuchTeam(id));
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("team_id", id);
        out.set("team_info", describe(team));
        ArrayNode list = out.putArray("keys");
        for (KeyRecord key : keys.byTeam(id)) {
            list.add(keyRoutes.describeWithoutSpend(key));
        }
        return out;
    }

    JsonNode list(ServerRequest req) throws Exception {
        ArrayNode out = AdminServer.JSON.createArrayNode();
        for (TeamRecord team : teams.all()) {
            out.add(describe(team));
        }
        return out;
    }

    JsonNode update(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        String id = Fields.text(body, "team_id").orElseThrow(() -> AdminException.badRequest("team_id",
                "team_id: required"));
        TeamRecord updated = changes.make((c, audit) -> {
            TeamRecord current = teams.findForUpdate(c, id).orElseThrow(() -> noSuchTeam(id));
            TeamRecord next = apply(body, current, clock.instant());
            teams.update(c, next, clock.instant());
            audit.record("team.update", "team", id, body);
            return next;
        });
        return describe(updated);
    }

    JsonNode delete(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        List<String> ids = Fields.stringList(body, "team_ids");
        if (ids.isEmpty()) {
            throw AdminException.badRequest("team_ids", "team_ids: expected a non-empty list of team ids");
        }
        int keyCount = 0;
        for (String id : ids) {
            keyCount += keys.byTeam(id).size();
        }
        List<String> deleted = changes.make((c, audit) -> {
            List<String> gone = teams.delete(c, ids);
            for (String id : gone) {
                audit.record("team.delete", "team", id, AdminServer.JSON.createObjectNode());
            }
            return gone;
        });
        if (deleted.isEmpty()) {
            throw AdminException.notFound("team_ids", "none of the " + ids.size() + " team(s) exists");
        }
        ObjectNode out = AdminServer.JSON.createObjectNode();
        ArrayNode list = out.putArray("deleted_teams");
        deleted.forEach(list::add);
        out.put("deleted_keys", keyCount);
        return out;
    }

    private static TeamRecord apply(JsonNode body, TeamRecord base, Instant now) {
        return new TeamRecord(base.id(),
                Fields.given(body, "team_alias") ? Fields.text(body, "team_alias") : base.teamAlias(),
                Fields.given(body, "models") ? Fields.stringList(body, "models") : base.models(),
                LimitsJson.apply(body, base.limits(), now),
                Fields.given(body, "metadata") ? Fields.object(body, "metadata").orElse("{}") : base.metadata(),
                body.has("blocked") ? body.path("blocked").asBoolean(false) : base.blocked(),
                base.createdAt());
    }

    private ObjectNode describe(TeamRecord team) throws SQLException {
        Instant now = clock.instant();
        BudgetWindow window = team.limits().window(now);
        long spend = usage.spendMicros(SpendQueries.Owner.TEAM, team.id(), window.start(), window.end());
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("team_id", team.id());
        out.put("team_alias", team.teamAlias().orElse(null));
        ArrayNode models = out.putArray("models");
        team.models().forEach(models::add);
        LimitsJson.describe(out, team.limits(), spend, now);
        try {
            out.set("metadata", AdminServer.JSON.readTree(team.metadata()));
        } catch (java.io.IOException e) {
            throw new SQLException("teams.metadata is not JSON", e);
        }
        out.put("blocked", team.blocked());
        out.put("created_at", team.createdAt().toString());
        return out;
    }

    private static AdminException noSuchTeam(String id) {
        return AdminException.notFound("team_id", "no team '" + id + "'");
    }
}
