package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.sidecars.SidecarScope;
import dev.tollgate.controlplane.sidecars.SidecarToken;
import dev.tollgate.controlplane.sidecars.SidecarTokenRepository;
import dev.tollgate.controlplane.teams.TeamRepository;
import io.helidon.webserver.http.ServerRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

/**
 * {@code /sidecar/token/*}: per-sidecar tokens bound to a sidecar name and, optionally, teams. The
 * token is returned once, by {@code new}; only its SHA-256 is stored. Deleting a token closes the
 * streams of the sidecars that use it (the change publishes a policy version, and each stream
 * checks its token on every version). Thread-safe.
 */
public final class SidecarTokenRoutes {

    private final SidecarTokenRepository tokens;
    private final TeamRepository teams;
    private final Changes changes;
    private final Clock clock;

    public SidecarTokenRoutes(SidecarTokenRepository tokens, TeamRepository teams, Changes changes, Clock clock) {
        this.tokens = tokens;
        this.teams = teams;
        this.changes = changes;
        this.clock = clock;
    }

    JsonNode create(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        String name = Fields.text(body, "sidecar_name").filter(n -> !n.isBlank()).orElseThrow(() ->
                AdminException.badRequest("sidecar_name", "sidecar_name: required (expected: the --name the sidecar"
                        + " starts with)"));
        List<String> teamIds = Fields.stringList(body, "team_ids");
        for (String team : teamIds) {
            if (teams.find(team).isEmpty()) {
                throw AdminException.badRequest("team_ids", "team_ids: no team '" + team + "' (create it with"
                        + " /team/new first)");
            }
        }
        String token = SidecarTokenRepository.newToken();
        SidecarToken row = new SidecarToken(UUID.randomUUID(), name, KeyHashing.sha256Hex(token),
                new SidecarScope(new HashSet<>(teamIds)), clock.instant());
        changes.make((c, audit) -> {
            tokens.insert(c, row);
            ObjectNode details = describe(row);
            audit.record("sidecar_token.new", "sidecar_token", row.id().toString(), details);
            return row;
        });
        ObjectNode out = describe(row);
        out.put("token", token);
        out.put("note", "store this token now: it is not shown again. Start the sidecar with --name " + name
                + " and TOLLGATE_SIDECAR_TOKEN (or --token-file) set to it");
        return out;
    }

    JsonNode list(ServerRequest req) throws Exception {
        ArrayNode out = AdminServer.JSON.createArrayNode();
        for (SidecarToken t : tokens.all()) {
            out.add(describe(t));
        }
        return out;
    }

    JsonNode delete(ServerRequest req) throws Exception {
        JsonNode body = AdminServer.body(req);
        List<UUID> ids = new ArrayList<>();
        for (String id : Fields.stringList(body, "token_ids")) {
            try {
                ids.add(UUID.fromString(id));
            } catch (IllegalArgumentException e) {
                throw AdminException.badRequest("token_ids", "token_ids: '" + id + "' is not a token id (expected the"
                        + " token_id that /sidecar/token/new or /sidecar/token/list returned)");
            }
        }
        if (ids.isEmpty()) {
            throw AdminException.badRequest("token_ids", "token_ids: expected a non-empty list of token ids");
        }
        List<SidecarToken> deleted = changes.make((c, audit) -> {
            List<SidecarToken> gone = tokens.delete(c, ids);
            for (SidecarToken t : gone) {
                audit.record("sidecar_token.delete", "sidecar_token", t.id().toString(), describe(t));
            }
            return gone;
        });
        if (deleted.isEmpty()) {
            throw AdminException.notFound("token_ids", "none of the " + ids.size() + " sidecar token(s) exists");
        }
        ObjectNode out = AdminServer.JSON.createObjectNode();
        ArrayNode list = out.putArray("deleted_tokens");
        deleted.forEach(t -> list.add(t.id().toString()));
        return out;
    }

    private static ObjectNode describe(SidecarToken t) {
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("token_id", t.id().toString());
        out.put("sidecar_name", t.sidecarName());
        ArrayNode teams = out.putArray("team_ids");
        t.scope().teams().stream().sorted().forEach(teams::add);
        out.put("scoped", !t.scope().unscoped());
        out.put("created_at", t.createdAt().toString());
        return out;
    }
}
