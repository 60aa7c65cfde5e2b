package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tollgate.controlplane.audit.AuditLog;
import io.helidon.webserver.http.ServerRequest;
import javax.sql.DataSource;

/** {@code GET /audit/log?target_type=&target_id=&limit=}: the newest management changes first. Thread-safe. */
public final class AuditRoutes {

    private final AuditLog audit;
    private final DataSource db;

    public AuditRoutes(AuditLog audit, DataSource db) {
        this.audit = audit;
        this.db = db;
    }

    JsonNode log(ServerRequest req) throws Exception {
        String type = req.query().first("target_type").asOptional().orElse(null);
        String id = req.query().first("target_id").asOptional().orElse(null);
        if (id != null && type != null && type.equals("key")) {
            id = KeyRoutes.hashOf(id);
        }
        int limit = SpendRoutes.intParam(req, "limit", 100);
        if (limit < 1 || limit > 1000) {
            throw AdminException.badRequest("limit", "limit: " + limit + " (expected: 1-1000)");
        }
        ArrayNode out = AdminServer.JSON.createArrayNode();
        for (AuditLog.Entry e : audit.recent(db, type, id, limit)) {
            out.addObject().put("id", e.id()).put("at", e.at().toString()).put("actor", e.actor())
                    .put("action", e.action()).put("target_type", e.targetType()).put("target_id", e.targetId())
                    .set("details", AdminServer.JSON.readTree(e.details()));
        }
        return out;
    }
}
