package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Usage delivery under faults: the control plane killed with SIGKILL and restarted, then
 * PostgreSQL restarted, both in the middle of load. PostgreSQL is the test's own (the control
 * plane gets TOLLGATE_DB_URL), so killing the control plane leaves no orphaned database behind.
 */
class UsageSurvivesFaultsTest {

    private static final String CONFIG = """
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/chat-v1
                  mock_latency_ms: "10"
                  input_cost_per_token: "0.000001"
                  output_cost_per_token: "0.000002"
            general_settings:
              master_key: os.environ/TOLLGATE_MASTER_KEY
            """;

    private EmbeddedPostgres postgres;
    private Stack stack;

    @AfterEach
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static EmbeddedPostgres startPostgres(Path dir, int port) throws IOException {
        return ProcessPostgres.builder(dir).setPort(port).start();
    }

    @Test
    void killedControlPlaneAndRestartedPostgresLoseNoUsageAndDuplicateNone() throws Exception {
        Path dir = Files.createTempDirectory("tollgate-e2e-faults");
        int pgPort = JarProcess.freePort();
        postgres = startPostgres(dir.resolve("pg"), pgPort);
        stack = new Stack("faults", dir, CONFIG, Map.of("TOLLGATE_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
                "TOLLGATE_DB_USER", "postgres"));
        stack.startControlPlane();
        stack.startSidecar();
        stack.awaitSidecarReady();
        String key = stack.newKey("{\"key_alias\":\"faults\"}");

        long start = System.currentTimeMillis();
        long until = start + 17_000;
        Load load = new Load();
        Thread clients = Thread.ofPlatform().start(() -> {
            try {
                load.run(List.of(stack.sidecarUrl()), 16, key, stack.chat("chat", "under faults"), mine -> {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return true;
                }, () -> System.currentTimeMillis() > until, 120);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        sleepUntil(start + 2_000);
        stack.controlPlane.kill();
        sleepUntil(start + 3_000);
        stack.startControlPlane();
        // Late enough for the sidecar to be back on the stream (its backoff reaches 5 s), and down
        // longer than the pool's 5 s connection timeout: ingest then fails and records are re-sent.
        sleepUntil(start + 9_000);
        postgres.close();
        sleepUntil(start + 15_500);
        postgres = startPostgres(dir.resolve("pg"), pgPort);
        clients.join();

        List<Load.Answer> answers = load.all();
        Set<String> served = new HashSet<>();
        for (Load.Answer a : answers) {
            assertEquals(200, a.status(), "the sidecar serves from its policy whatever fails behind it: " + a);
            served.add(a.requestId());
        }
        assertEquals(answers.size(), served.size());
        assertTrue(served.size() > 200, "too little load to mean anything: " + served.size());
        assertTrue(Http.await(Duration.ofSeconds(60), () -> rows(key).size() >= served.size()),
                "usage rows " + rows(key).size() + " of " + served.size() + " served");
        List<String> ids = rows(key);
        assertEquals(served.size(), ids.size(), "usage rows differ from the successful responses");
        assertEquals(ids.size(), new HashSet<>(ids).size(), "duplicate usage rows");
        assertEquals(served, new HashSet<>(ids));
        System.out.println("served " + served.size() + " requests across a control-plane SIGKILL and a PostgreSQL"
                + " restart; usage rows " + ids.size());
    }

    private static void sleepUntil(long millis) throws InterruptedException {
        long left = millis - System.currentTimeMillis();
        if (left > 0) {
            Thread.sleep(left);
        }
    }

    /** Every usage row id of the key, through /spend/logs pages. */
    private List<String> rows(String key) {
        List<String> ids = new ArrayList<>();
        try {
            for (int offset = 0; ; offset += 1000) {
                JsonNode page = stack.spendLogs("?api_key=" + key + "&limit=1000&offset=" + offset);
                page.forEach(r -> ids.add(r.path("request_id").asText()));
                if (page.size() < 1000) {
                    return ids;
                }
            }
        } catch (IOException | IllegalStateException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
