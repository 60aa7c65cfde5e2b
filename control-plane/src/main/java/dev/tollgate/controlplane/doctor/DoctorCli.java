package dev.tollgate.controlplane.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code tollgate doctor}: asks a control plane's {@code GET /health} and prints one row per
 * deployment with the first failing check and its fix. Exit code 0 when all is healthy, 1 when
 * anything failed, 2 when the control plane could not be asked.
 */
public final class DoctorCli {

    private DoctorCli() {
    }

    public static int run(String adminUrl, String masterKey, PrintStream out) {
        return run(adminUrl, masterKey, false, out);
    }

    /** @param deep also make a 1-token completion per deployment */
    public static int run(String adminUrl, String masterKey, boolean deep, PrintStream out) {
        JsonNode report;
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(adminUrl.replaceAll("/$", "") + "/health" + (deep ? "?deep=true" : "")))
                    .header("Authorization", "Bearer " + masterKey)
                    .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
            report = new ObjectMapper().readTree(r.body());
            if (r.statusCode() != 200) {
                out.println("doctor: " + adminUrl + "/health answered " + r.statusCode() + ": "
                        + report.path("error").path("message").asText(r.body()));
                return 2;
            }
        } catch (Exception e) {
            out.println("doctor: cannot reach the control plane at " + adminUrl + " (" + e.getClass().getSimpleName()
                    + "); check --admin-url and that it runs");
            return 2;
        } 
        String format = "%-24s %-26s %-12s %-8s %s%n";
        out.printf(format, "ALIAS", "DEPLOYMENT", "PROVIDER", "STATUS", "DETAIL");
        for (JsonNode d : report.path("deployments")) {
            JsonNode failing = null;
            StringBuilder passed = new StringBuilder();
            for (JsonNode c : d.path("checks")) {
                if (failing == null && "fail".equals(c.path("outcome").asText())) {
                    failing = c;
                }
                if ("pass".equals(c.path("outcome").asText())) {
                    passed.append(passed.isEmpty() ? "" : ", ").append(c.path("check").asText());
                }
            }
            String detail = failing == null ? "ok: " + passed
                    : failing.path("check").asText() + ": " + failing.path("detail").asText() + " -> fix: "
                    + failing.path("fix").asText();
            out.printf(format, d.path("model_name").asText(), d.path("deployment").asText(), d.path("provider").asText(),
                    failing == null ? "OK" : "FAIL", detail);
        }
        out.println(report.path("healthy_count").asInt() + " healthy, " + report.path("unhealthy_count").asInt()
                + " unhealthy");
        return report.path("healthy").asBoolean(false) ? 0 : 1;
    }
}
