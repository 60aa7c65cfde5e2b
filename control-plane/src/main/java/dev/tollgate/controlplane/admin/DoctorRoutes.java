package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.doctor.Check;
import dev.tollgate.controlplane.doctor.Doctor;
import io.helidon.webserver.http.ServerRequest;
import java.util.List;

/**
 * {@code GET /health}: the doctor's report, one entry per deployment with every check, plus
 * LiteLLM's {@code healthy_endpoints}/{@code unhealthy_endpoints} lists. Thread-safe.
 */
public final class DoctorRoutes {

    private final Doctor doctor;

    public DoctorRoutes(Doctor doctor) {
        this.doctor = doctor;
    }

    JsonNode report(ServerRequest req) {
        boolean deep = req.query().first("deep").asOptional().map(Boolean::parseBoolean).orElse(false);
        List<Doctor.Row> rows = doctor.run(deep ? Doctor.Depth.DEEP : Doctor.Depth.STANDARD);
        ObjectNode out = AdminServer.JSON.createObjectNode();
        boolean healthy = rows.stream().allMatch(Doctor.Row::healthy);
        out.put("healthy", healthy);
        ArrayNode good = out.putArray("healthy_endpoints");
        ArrayNode bad = out.putArray("unhealthy_endpoints");
        ArrayNode all = out.putArray("deployments");
        for (Doctor.Row row : rows) {
            ObjectNode entry = all.addObject()
                    .put("model_name", row.alias())
                    .put("deployment", row.deployment())
                    .put("provider", row.provider())
                    .put("model", row.provider() + "/" + row.model())
                    .put("healthy", row.healthy());
            ArrayNode checks = entry.putArray("checks");
            for (Check c : row.checks()) {
                checks.addObject().put("check", c.name()).put("outcome", c.outcome().name().toLowerCase())
                        .put("detail", c.detail()).put("fix", c.fix());
            }
            (row.healthy() ? good : bad).addObject().put("model_name", row.alias()).put("deployment", row.deployment())
                    .put("model", row.provider() + "/" + row.model());
        }
        out.put("healthy_count", good.size());
        out.put("unhealthy_count", bad.size());
        return out;
    }
}
