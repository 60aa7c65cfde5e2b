package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The doctor names the broken part of each broken alias, over the admin API and as a CLI. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DoctorEndToEndTest {

    private static final String PROVIDER_KEY = "sk-provider-CANARY-doctor-1a2b3c4d";
    private FakeOpenAi upstream;
    private Stack stack;
    private int closedPort;

    @BeforeAll
    void start() throws Exception {
        upstream = new FakeOpenAi(PROVIDER_KEY);
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String config = """
                model_list:
                  - model_name: good-mock
                    litellm_params: {model: mock/demo}
                  - model_name: good-openai
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: os.environ/DOCTOR_KEY}
                  - model_name: wrong-key
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: sk-wrong-CANARY-doctor-000}
                  - model_name: wrong-model
                    litellm_params: {model: openai/gpt-5-imaginary, api_base: %1$s, api_key: os.environ/DOCTOR_KEY}
                  - model_name: missing-env
                    litellm_params: {model: openai/gpt-4o-mini, api_base: %1$s, api_key: os.environ/DOCTOR_UNSET}
                  - model_name: dead-base
                    litellm_params: {model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:%2$d/v1", api_key: x}
                  - model_name: bad-prefix
                    litellm_params: {model: openia/gpt-4o-mini}
                general_settings:
                  master_key: os.environ/TOLLGATE_MASTER_KEY
                """.formatted(upstream.baseUrl(), closedPort);
        stack = new Stack("doctor", Files.createTempDirectory("tollgate-e2e-doctor"), config,
                Map.of("DOCTOR_KEY", PROVIDER_KEY));
        stack.startControlPlane();
        stack.startSidecar();
        stack.awaitSidecarReady();
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void healthReportNamesTheFailingCheckOfEachDeployment() throws Exception {
        JsonNode report = Http.json(Http.get(stack.admin() + "/health", Stack.MASTER_KEY));
        assertFalse(report.path("healthy").asBoolean());
        Map<String, JsonNode> byAlias = new HashMap<>();
        report.path("deployments").forEach(d -> byAlias.put(d.path("model_name").asText(), d));
        assertTrue(byAlias.get("good-mock").path("healthy").asBoolean(), byAlias.get("good-mock").toString());
        assertTrue(byAlias.get("good-openai").path("healthy").asBoolean(), byAlias.get("good-openai").toString());
        assertEquals("credential", failing(byAlias.get("wrong-key")));
        assertEquals("model", failing(byAlias.get("wrong-model")));
        assertEquals("environment", failing(byAlias.get("missing-env")));
        assertTrue(firstFailure(byAlias.get("missing-env")).path("detail").asText().contains("DOCTOR_UNSET"));
        assertEquals("api_base", failing(byAlias.get("dead-base")));
        assertEquals("provider prefix", failing(byAlias.get("bad-prefix")));
        assertEquals(2, report.path("healthy_count").asInt());
        assertEquals(5, report.path("unhealthy_count").asInt());
        assertFalse(report.toString().contains("CANARY"));
    }

    @Test
    void deepReportAlsoMakesAOneTokenCompletion() throws Exception {
        JsonNode report = Http.json(Http.get(stack.admin() + "/health?deep=true", Stack.MASTER_KEY));
        Map<String, JsonNode> byAlias = new HashMap<>();
        report.path("deployments").forEach(d -> byAlias.put(d.path("model_name").asText(), d));
        JsonNode completion = null;
        for (JsonNode c : byAlias.get("good-openai").path("checks")) {
            if (c.path("check").asText().equals("completion")) {
                completion = c;
            }
        }
        assertTrue(completion != null, byAlias.get("good-openai").toString());
        assertEquals("pass", completion.path("outcome").asText(), completion.toString());
        // A deployment that already failed a cheaper check is not asked for a completion.
        assertFalse(byAlias.get("wrong-key").toString().contains("\"completion\""));
        assertFalse(report.toString().contains("CANARY"));
    }

    @Test
    void healthNeedsTheMasterKey() throws Exception {
        assertEquals(401, Http.get(stack.admin() + "/health", null).statusCode());
    }

    @Test
    void doctorCommandPrintsATableAndExitsNonZero() throws Exception {
        ProcessBuilder withoutKey = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                JarProcess.CONTROL_PLANE_JAR.toString(), "doctor", "--admin-url", stack.admin()).redirectErrorStream(true);
        withoutKey.environment().remove("TOLLGATE_MASTER_KEY");
        Process p = withoutKey.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        // Without TOLLGATE_MASTER_KEY in its environment the command says so.
        assertEquals(2, p.exitValue(), output);
        assertTrue(output.contains("TOLLGATE_MASTER_KEY"), output);

        ProcessBuilder withKey = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                JarProcess.CONTROL_PLANE_JAR.toString(), "doctor", "--admin-url", stack.admin()).redirectErrorStream(true);
        withKey.environment().put("TOLLGATE_MASTER_KEY", Stack.MASTER_KEY);
        Process q = withKey.start();
        String table = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(q.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, q.exitValue(), table);
        List<String> lines = table.lines().toList();
        assertTrue(lines.get(0).startsWith("ALIAS"), table);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("wrong-key") && l.contains("FAIL")
                && l.contains("credential") && l.contains("fix:")), table);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("good-openai") && l.contains("OK")), table);
        assertTrue(table.contains("2 healthy, 5 unhealthy"), table);
        assertFalse(table.contains("CANARY"));
    }

    private static JsonNode firstFailure(JsonNode deployment) {
        for (JsonNode c : deployment.path("checks")) {
            if ("fail".equals(c.path("outcome").asText())) {
                return c;
            }
        }
        throw new AssertionError("no failing check in " + deployment);
    }

    private static String failing(JsonNode deployment) {
        return firstFailure(deployment).path("check").asText();
    }
}
