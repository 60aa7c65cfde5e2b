package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Budgets and rate limits hold across two sidecar processes sharing one control plane: the
 * leases, not a sidecar's local view, decide.
 */
class BudgetAcrossSidecarsTest {

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

    private Stack stack;
    private JarProcess second;

    @AfterEach
    void stop() throws Exception {
        if (second != null) {
            second.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private String startTwoSidecars(String name) throws Exception {
        stack = new Stack(name, Files.createTempDirectory("tollgate-e2e-" + name), CONFIG, Map.of());
        stack.startControlPlane();
        stack.startSidecar();
        int port = JarProcess.freePort();
        second = stack.startSidecar("sidecar-2", port);
        stack.awaitSidecarReady();
        String url = "http://127.0.0.1:" + port;
        assertTrue(Http.await(Duration.ofSeconds(60), () -> Http.ok(url + "/health/readiness")), "second sidecar");
        return url;
    }

    private static String chat(int i) {
        return "{\"model\":\"chat\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"request " + i
                + "\"}]}";
    }

    @Test
    void twoSidecarsWith32ClientsEachSpendAtMostTheBudgetPlusOneRequestPerSidecar() throws Exception {
        String secondUrl = startTwoSidecars("budget");
        BigDecimal budget = new BigDecimal("0.05");
        String key = stack.newKey("{\"key_alias\":\"small-budget\",\"max_budget\":" + budget + ",\"budget_duration\":\"1h\"}");
        awaitKey(secondUrl, key);

        Load load = new Load();
        // Each client goes on until it has been refused three times.
        load.run(List.of(stack.sidecarUrl(), secondUrl), 64, key, chat(0),
                mine -> mine.stream().filter(a -> !a.ok()).count() < 3, () -> false, 120);

        List<Load.Answer> answers = load.all();
        long ok = answers.stream().filter(Load.Answer::ok).count();
        BigDecimal seen = answers.stream().map(Load.Answer::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal maxCost = answers.stream().map(Load.Answer::cost).max(BigDecimal::compareTo).orElseThrow();
        for (Load.Answer a : answers) {
            if (!a.ok()) {
                assertEquals(429, a.status(), "every refusal is a 429: " + a);
                assertEquals("budget_exceeded", a.code(), "every refusal is budget_exceeded: " + a);
                assertFalse(a.retryAfter().isEmpty(), "a budget refusal says when the window resets");
            }
        }
        assertTrue(ok > 100, "too few requests were served: " + ok);
        assertTrue(answers.stream().anyMatch(a -> a.ok() && a.sidecar().equals(secondUrl))
                && answers.stream().anyMatch(a -> a.ok() && !a.sidecar().equals(secondUrl)), "both sidecars served");

        assertTrue(Http.await(Duration.ofSeconds(20), () -> requests(key) == ok),
                "usage rows " + requests(key) + " != successful responses " + ok);
        JsonNode info = Http.json(Http.get(stack.admin() + "/key/info?key=" + key, Stack.MASTER_KEY)).path("info");
        BigDecimal recorded = info.path("spend").decimalValue();
        assertEquals(0, recorded.compareTo(seen), "recorded spend " + recorded + " != sum of x-tollgate-cost-usd " + seen);
        BigDecimal bound = budget.add(maxCost.multiply(BigDecimal.valueOf(2)));
        assertTrue(recorded.compareTo(bound) <= 0, "spend " + recorded + " exceeds budget + 2 x max request cost " + bound);
        assertTrue(recorded.compareTo(budget.divide(BigDecimal.valueOf(2))) > 0, "the budget was barely used: " + recorded);
        System.out.println("budget " + budget + ": served " + ok + ", refused " + (answers.size() - ok) + ", spend "
                + recorded + ", largest request " + maxCost + ", bound " + bound);
    }

    @Test
    void rpmLimitHoldsWithinTenPercentAcrossTwoSidecars() throws Exception {
        String secondUrl = startTwoSidecars("rpm");
        String key = stack.newKey("{\"key_alias\":\"rpm-60\",\"rpm_limit\":60}");
        awaitKey(secondUrl, key);
        // All requests must fall in one rate minute (epoch-aligned on the control plane's clock).
        long intoMinute = System.currentTimeMillis() % 60_000;
        if (intoMinute > 45_000) {
            Thread.sleep(60_000 - intoMinute + 500);
        }
        long minute = System.currentTimeMillis() / 60_000;
        long until = System.currentTimeMillis() + 6_000;
        Load load = new Load();
        load.run(List.of(stack.sidecarUrl(), secondUrl), 16, key, chat(1), mine -> true,
                () -> System.currentTimeMillis() > until, 60);
        List<Load.Answer> answers = load.all();
        assertTrue(answers.stream().allMatch(a -> a.atMillis() / 60_000 == minute), "the run crossed a minute");
        long ok = answers.stream().filter(Load.Answer::ok).count();
        for (Load.Answer a : answers) {
            if (!a.ok()) {
                assertEquals(429, a.status(), a.toString());
                assertEquals("rate_limit_exceeded", a.code(), a.toString());
                assertFalse(a.retryAfter().isEmpty());
            }
        }
        System.out.println("rpm_limit 60: served " + ok + " of " + answers.size() + " in one minute");
        assertTrue(ok >= 54 && ok <= 66, "rpm_limit 60 let " + ok + " requests through in one minute");
        assertTrue(answers.size() > ok, "the load never reached the limit");
        HttpResponse<String> headers = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key, chat(2));
        assertEquals(429, headers.statusCode());
    }

    private void awaitKey(String sidecar, String key) throws InterruptedException {
        assertTrue(Http.await(Duration.ofSeconds(5), () -> Stack.status(() -> Http.get(sidecar + "/v1/models", key)) == 200),
                "sidecar " + sidecar + " did not receive the key");
    }

    private long requests(String key) {
        try {
            return Http.json(Http.get(stack.admin() + "/global/spend/report?group_by=key&api_key=" + key,
                    Stack.MASTER_KEY)).path("total_requests").asLong(-1);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
