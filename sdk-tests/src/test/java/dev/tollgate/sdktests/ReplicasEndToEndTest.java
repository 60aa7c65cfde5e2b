package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpResponse;
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
 * Two control-plane replicas on one PostgreSQL (the test's own, given as TOLLGATE_DB_URL), a
 * sidecar on each: sidecar A is given both replicas (A first), sidecar B only replica B. A change
 * made through replica A reaches sidecar B; replica A killed, sidecar A carries on with B.
 */
class ReplicasEndToEndTest {

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
    private Stack a;
    private Stack b;

    @AfterEach
    void stop() throws Exception {
        for (Stack s : new Stack[] {a, b}) {
            if (s != null) {
                s.close();
            }
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void revokedThroughReplicaAIsRefusedOnReplicaBsSidecarWithin1sAndSidecarAFailsOverToBLosingNoUsage()
            throws Exception {
        Path dir = Files.createTempDirectory("tollgate-e2e-replicas");
        postgres = ProcessPostgres.builder(dir.resolve("pg")).start();
        Map<String, String> db = Map.of("TOLLGATE_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
                "TOLLGATE_DB_USER", "postgres");
        a = new Stack("replica-a", dir.resolve("a"), CONFIG, db);
        b = new Stack("replica-b", dir.resolve("b"), CONFIG, db);
        // Both replicas start at once on the empty database: migration and config seeding race.
        Stack.startControlPlanesAtOnce(a, b);
        a.sidecar = a.startSidecar("sidecar", a.sidecarPort,
                "127.0.0.1:" + a.grpcPort + ",127.0.0.1:" + b.grpcPort);
        b.startSidecar();
        a.awaitSidecarReady();
        b.awaitSidecarReady();

        // Revocation: made through replica A, enforced by the sidecar on replica B.
        String doomed = a.newKey("{\"key_alias\":\"doomed\"}");
        assertTrue(Http.await(Duration.ofSeconds(5), () -> modelsStatus(b, doomed) == 200),
                "sidecar B never accepted the key created through replica A");
        long revoked = System.nanoTime();
        HttpResponse<String> delete = Http.post(a.admin() + "/key/delete", Stack.MASTER_KEY,
                "{\"keys\":[\"" + doomed + "\"]}");
        assertEquals(200, delete.statusCode(), delete.body());
        assertTrue(Http.await(Duration.ofSeconds(1), () -> modelsStatus(b, doomed) == 401),
                "sidecar B still accepts a key revoked through replica A after 1 s");
        System.out.println("revoked through replica A, refused by sidecar B after "
                + (System.nanoTime() - revoked) / 1_000_000 + " ms");

        // Failover: replica A killed under load on sidecar A.
        String key = a.newKey("{\"key_alias\":\"failover\"}");
        long start = System.currentTimeMillis();
        long until = start + 6_000;
        Load load = new Load();
        Thread clients = Thread.ofPlatform().start(() -> {
            try {
                load.run(List.of(a.sidecarUrl()), 4, key, a.chat("chat", "across a failover"), mine -> true,
                        () -> System.currentTimeMillis() > until, 60);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(Math.max(0, start + 2_000 - System.currentTimeMillis()));
        a.controlPlane.kill();
        clients.join();

        Set<String> served = new HashSet<>();
        for (Load.Answer answer : load.all()) {
            assertEquals(200, answer.status(), "sidecar A serves from its policy while it fails over: " + answer);
            served.add(answer.requestId());
        }
        assertTrue(served.size() > 50, "too little load to mean anything: " + served.size());
        assertTrue(Http.await(Duration.ofSeconds(20), () -> rows(b, key).size() >= served.size()),
                "usage rows at replica B " + rows(b, key).size() + " of " + served.size() + " served");
        List<String> ids = rows(b, key);
        assertEquals(served.size(), ids.size(), "usage rows differ from the successful responses");
        assertEquals(served, new HashSet<>(ids));
        String metrics = Http.get(b.admin() + "/metrics", null).body();
        assertTrue(metrics.contains("sidecar=\"replica-a-sidecar\""),
                "sidecar A holds no stream to replica B:\n" + metrics);
        System.out.println("sidecar A served " + served.size() + " requests across replica A's SIGKILL; usage rows at"
                + " replica B " + ids.size());
    }

    private static int modelsStatus(Stack stack, String key) {
        return Stack.status(() -> Http.get(stack.sidecarUrl() + "/v1/models", key));
    }

    /** Every usage row id of the key, through replica {@code stack}'s /spend/logs pages. */
    private static List<String> rows(Stack stack, String key) {
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
