package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two control-plane replicas on one PostgreSQL, a sidecar on each (sidecar A also knows replica B).
 * Leases for one budget are asked of both replicas at once: the amount allocated never exceeds the
 * limit and every request is counted once. Then replica A gets SIGTERM under load: it tells sidecar
 * A to go away, sidecar A moves to replica B at once, replica A exits 0, and no usage is lost.
 */
class ReplicasLeasesAndShutdownTest {

    /** $10 per million input tokens, $20 per million output: a request costs about $0.00014. */
    private static final String CONFIG = """
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/chat-v1
                  mock_response: "one two three four five"
                  mock_latency_ms: "20"
                  input_cost_per_token: "0.00001"
                  output_cost_per_token: "0.00002"
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
    void leasesFromTwoReplicasNeverExceedTheBudgetAndSigtermMovesSidecarsToTheOtherReplicaLosingNothing()
            throws Exception {
        Path dir = Files.createTempDirectory("tollgate-e2e-replica-leases");
        postgres = ProcessPostgres.builder(dir.resolve("pg")).start();
        String jdbc = postgres.getJdbcUrl("postgres", "postgres");
        Map<String, String> db = Map.of("TOLLGATE_DB_URL", jdbc, "TOLLGATE_DB_USER", "postgres");
        a = new Stack("leases-a", dir.resolve("a"), CONFIG, db);
        b = new Stack("leases-b", dir.resolve("b"), CONFIG, db);
        Stack.startControlPlanesAtOnce(a, b);
        a.sidecar = a.startSidecar("sidecar", a.sidecarPort, "127.0.0.1:" + a.grpcPort + ",127.0.0.1:" + b.grpcPort);
        b.startSidecar();
        a.awaitSidecarReady();
        b.awaitSidecarReady();

        // --- Leases: one budget, asked of both replicas at once.
        BigDecimal budget = new BigDecimal("0.02");
        String key = a.newKey("{\"key_alias\":\"shared-budget\",\"max_budget\":" + budget + ",\"budget_duration\":\"1h\"}");
        assertTrue(Http.await(Duration.ofSeconds(5), () -> Stack.status(() -> Http.get(b.sidecarUrl() + "/v1/models",
                key)) == 200), "sidecar B never received the key");
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicReference<String> overAllocated = new AtomicReference<>();
        Thread sampler = Thread.ofVirtual().start(() -> sampleAllocations(jdbc, loading, overAllocated));
        Load load = new Load();
        // max_tokens bounds each request's reservation (the mock model has no known output limit).
        String bounded = "{\"model\":\"chat\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"shared\"}]}";
        load.run(List.of(a.sidecarUrl(), b.sidecarUrl()), 32, key, bounded,
                mine -> mine.stream().filter(x -> !x.ok()).count() < 3, () -> false, 120);
        loading.set(false);
        sampler.join();

        assertEquals(null, overAllocated.get(), "a lease window was allocated beyond its limit");
        List<Load.Answer> answers = load.all();
        long ok = answers.stream().filter(Load.Answer::ok).count();
        assertTrue(answers.stream().anyMatch(x -> x.ok() && x.sidecar().equals(a.sidecarUrl()))
                && answers.stream().anyMatch(x -> x.ok() && x.sidecar().equals(b.sidecarUrl())), () -> "both sidecars served: "
                + answers.stream().collect(java.util.stream.Collectors.groupingBy(x -> x.sidecar() + " " + x.status() + " "
                + x.code(), java.util.stream.Collectors.counting())));
        answers.stream().filter(x -> !x.ok()).forEach(x -> assertEquals("budget_exceeded", x.code(), x.toString()));
        BigDecimal seen = answers.stream().map(Load.Answer::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal maxCost = answers.stream().map(Load.Answer::cost).max(BigDecimal::compareTo).orElseThrow();
        assertTrue(Http.await(Duration.ofSeconds(20), () -> rows(b, key).size() == ok),
                "usage rows " + rows(b, key).size() + " != successful responses " + ok);
        assertEquals(ok, new HashSet<>(rows(b, key)).size(), "a usage row counted twice");
        BigDecimal recorded = Http.json(Http.get(b.admin() + "/key/info?key=" + key, Stack.MASTER_KEY))
                .path("info").path("spend").decimalValue();
        assertEquals(0, recorded.compareTo(seen), "recorded spend " + recorded + " != sum of x-tollgate-cost-usd " + seen);
        assertTrue(recorded.compareTo(budget.add(maxCost.multiply(BigDecimal.valueOf(2)))) <= 0,
                "spend " + recorded + " exceeds the budget by more than one request per sidecar");
        System.out.println("two replicas, budget " + budget + ": served " + ok + ", refused " + (answers.size() - ok)
                + ", spend " + recorded + "; allocation never above the limit");

        // --- Graceful stop of replica A under load on sidecar A.
        String free = a.newKey("{\"key_alias\":\"across-sigterm\"}");
        long until = System.currentTimeMillis() + 5_000;
        Load moving = new Load();
        Thread clients = Thread.ofPlatform().start(() -> {
            try {
                moving.run(List.of(a.sidecarUrl()), 4, free, a.chat("chat", "across a SIGTERM"), mine -> true,
                        () -> System.currentTimeMillis() > until, 60);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(Http.await(Duration.ofSeconds(5), () -> moving.all().size() > 20), "load is running");
        long sigterm = System.nanoTime();
        a.controlPlane.sigterm();
        OptionalInt exit = a.controlPlane.awaitExit(Duration.ofSeconds(20));
        long exitedMs = (System.nanoTime() - sigterm) / 1_000_000;
        assertEquals(OptionalInt.of(0), exit, "replica A's exit code after SIGTERM");
        assertTrue(Http.await(Duration.ofSeconds(2), () -> metrics(b).contains("sidecar=\"leases-a-sidecar\"")),
                "sidecar A did not move to replica B within 2 s of replica A's exit");
        long movedMs = (System.nanoTime() - sigterm) / 1_000_000;
        clients.join();

        Set<String> served = new HashSet<>();
        for (Load.Answer answer : moving.all()) {
            assertEquals(200, answer.status(), "sidecar A serves while its control plane changes: " + answer);
            served.add(answer.requestId());
        }
        assertTrue(Http.await(Duration.ofSeconds(20), () -> rows(b, free).size() >= served.size()),
                "usage rows at replica B " + rows(b, free).size() + " of " + served.size() + " served");
        assertEquals(served, new HashSet<>(rows(b, free)));
        String sidecarLog = Files.readString(a.sidecar.log());
        assertTrue(sidecarLog.contains("is going away (control plane shutting down): reconnecting to a replica now"),
                sidecarLog);
        assertFalse(sidecarLog.contains("is down"), "a go_away is not an outage:\n" + sidecarLog);
        String cpLog = Files.readString(a.controlPlane.log());
        assertTrue(cpLog.contains("told 1 sidecar(s) to reconnect to another replica"), cpLog);
        assertTrue(cpLog.contains("database released; exiting"), "the last line of the sequence was logged:\n" + cpLog);
        System.out.println("replica A SIGTERM: exit 0 after " + exitedMs + " ms, sidecar A on replica B after "
                + movedMs + " ms, " + served.size() + " requests served, every usage row at replica B");
    }

    /** Polls every lease window until load stops; records the first one allocated beyond its limit. */
    private static void sampleAllocations(String jdbc, AtomicBoolean loading, AtomicReference<String> over) {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             PreparedStatement ps = c.prepareStatement("select entity_kind, entity_id, lease_kind, limit_amount, "
                     + "allocated from lease_windows where allocated > limit_amount")) {
            while (loading.get() && over.get() == null) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        over.set(rs.getString(1) + " " + rs.getString(2) + " kind " + rs.getInt(3) + ": allocated "
                                + rs.getLong(5) + " > limit " + rs.getLong(4));
                    }
                }
                Thread.sleep(20);
            }
        } catch (SQLException e) {
            over.set("could not read lease_windows: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String metrics(Stack stack) {
        try {
            return Http.get(stack.admin() + "/metrics", null).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Every usage row id of the key, through replica {@code stack}'s /spend/logs pages. */
    private static List<String> rows(Stack stack, String key) {
        List<String> ids = new java.util.ArrayList<>();
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
