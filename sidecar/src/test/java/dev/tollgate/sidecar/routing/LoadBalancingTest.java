package dev.tollgate.sidecar.routing;

import static dev.tollgate.sidecar.routing.RoutedSidecar.deployment;
import static dev.tollgate.sidecar.routing.RoutedSidecar.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How load spreads over an alias's deployments under each strategy, through a real sidecar. Weighted
 * shuffles run on an evenly spread source ({@link Sweep}), so their counts are exact; the rest on a
 * seeded {@link java.util.Random}.
 */
class LoadBalancingTest {

    private FaultyOpenAi upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = new FaultyOpenAi();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    private static Map<String, Integer> spread(RoutedSidecar sidecar, String alias, int calls) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            HttpResponse<String> r = sidecar.chat(alias);
            assertEquals(200, r.statusCode(), r.body());
            counts.merge(deployment(r), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void simpleShuffleSplitsByWeight() throws Exception {
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "weight", "1")
                .deployment("chat", "b", "weight", "3")
                .random(new Sweep(200))
                .start()) {
            assertEquals(Map.of("chat#a", 50, "chat#b", 150), spread(sidecar, "chat", 200));
        }
    }

    @Test
    void simpleShuffleWeighsByRpmWhenNoDeploymentHasAWeight() throws Exception {
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "rpm", "100")
                .deployment("chat", "b", "rpm", "400")
                .random(new Sweep(100))
                .start()) {
            assertEquals(Map.of("chat#a", 20, "chat#b", 80), spread(sidecar, "chat", 100));
        }
    }

    @Test
    void simpleShuffleIsUniformWithoutWeights() throws Exception {
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a").deployment("chat", "b").deployment("chat", "c")
                .random(new Sweep(90))
                .start()) {
            assertEquals(Map.of("chat#a", 30, "chat#b", 30, "chat#c", 30), spread(sidecar, "chat", 90));
        }
    }

    @Test
    void leastBusySendsTheNextCallToTheDeploymentWithFewerInFlight() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        upstream.script("a", new FaultyOpenAi.Held(release)).script("b", new FaultyOpenAi.Held(release));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a").deployment("chat", "b")
                .settings(s -> s.setRoutingStrategy("least-busy"))
                .start()) {
            CompletableFuture<HttpResponse<String>> first = sidecar.chatAsync("chat");
            RoutedSidecar.await(() -> upstream.calls.size() == 1, "the first call to reach the upstream");
            CompletableFuture<HttpResponse<String>> second = sidecar.chatAsync("chat");
            RoutedSidecar.await(() -> upstream.calls.size() == 2, "the second call to reach the upstream");
            assertNotEquals(upstream.calls.get(0).upstream(), upstream.calls.get(1).upstream(),
                    "the second call goes to the idle deployment");
            release.countDown();
            assertEquals(200, first.get().statusCode());
            assertEquals(200, second.get().statusCode());
        }
    }

    @Test
    void latencyBasedRoutingPrefersTheFasterDeploymentAndStillExploresTheSlowOne() throws Exception {
        upstream.always("slow", new FaultyOpenAi.Ok(40));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "slow").deployment("chat", "fast")
                .settings(s -> s.setRoutingStrategy("latency-based-routing"))
                .start()) {
            Map<String, Integer> counts = spread(sidecar, "chat", 80);
            assertTrue(counts.getOrDefault("chat#fast", 0) >= 70, counts.toString());
            assertTrue(counts.getOrDefault("chat#slow", 0) >= 2, "measured once, then explored: " + counts);
        }
    }

    @Test
    void usageBasedRoutingPrefersHeadroomAndStopsAtRpmUntilTheNextMinute() throws Exception {
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "small", "rpm", "2")
                .deployment("chat", "big", "rpm", "20")
                .settings(s -> s.setRoutingStrategy("usage-based-routing"))
                .start()) {
            Map<String, Integer> counts = spread(sidecar, "chat", 10);
            assertTrue(counts.getOrDefault("chat#small", 0) <= 1, "big has more headroom: " + counts);

            spread(sidecar, "chat", 12);
            HttpResponse<String> full = sidecar.chat("chat");
            assertEquals(429, full.statusCode(), full.body());
            assertEquals("no_deployments_available", error(full).path("code").asText());
            String message = error(full).path("message").asText();
            assertTrue(message.contains("'chat#small' (provider openai) has used its rpm/tpm (rpm 2, tpm 0) for this "
                    + "minute, until 2026-11-24T12:01:00Z"), message);
            assertTrue(message.contains("'chat#big' (provider openai) has used its rpm/tpm (rpm 20"), message);

            sidecar.clock.advance(Duration.ofMinutes(1));
            assertEquals(200, sidecar.chat("chat").statusCode());
        }
    }

    @Test
    void usageBasedRoutingCountsTokensAgainstTpm() throws Exception {
        // Each fake answer uses 5 tokens: 'tiny' is full after two calls.
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "tiny", "tpm", "10")
                .settings(s -> s.setRoutingStrategy("usage-based-routing"))
                .start()) {
            spread(sidecar, "chat", 2);
            HttpResponse<String> full = sidecar.chat("chat");
            assertEquals(429, full.statusCode(), full.body());
            assertTrue(error(full).path("message").asText().contains("tpm 10"), full.body());
        }
    }

    @Test
    void costBasedRoutingPicksTheCheapestAndShufflesTies() throws Exception {
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "dear", "input_cost_per_token", "0.00001", "output_cost_per_token", "0.00003")
                .deployment("chat", "cheap1", "input_cost_per_token", "0.000001", "output_cost_per_token", "0.000002")
                .deployment("chat", "cheap2", "input_cost_per_token", "0.0000010", "output_cost_per_token", "0.000002")
                .deployment("chat", "unpriced")
                .settings(s -> s.setRoutingStrategy("cost-based-routing"))
                .start()) {
            Map<String, Integer> counts = spread(sidecar, "chat", 60);
            assertEquals(0, counts.getOrDefault("chat#dear", 0), counts.toString());
            assertEquals(0, counts.getOrDefault("chat#unpriced", 0), counts.toString());
            assertTrue(counts.getOrDefault("chat#cheap1", 0) >= 15, counts.toString());
            assertTrue(counts.getOrDefault("chat#cheap2", 0) >= 15, counts.toString());
        }
    }

    @Test
    void orderTiersServeFromTheLowestOrderWhileItIsHealthy() throws Exception {
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "backup", "order", "2", "weight", "100")
                .deployment("chat", "primary", "order", "1")
                .deployment("chat", "unordered")
                .start()) {
            assertEquals(Map.of("chat#primary", 20), spread(sidecar, "chat", 20));
        }
    }

    @Test
    void fullMaxParallelRequestsSendsTheCallElsewhereElse429() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        upstream.always("a", new FaultyOpenAi.Held(release)).always("b", new FaultyOpenAi.Held(release));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "max_parallel_requests", "1")
                .deployment("chat", "b", "max_parallel_requests", "1")
                .start()) {
            CompletableFuture<HttpResponse<String>> first = sidecar.chatAsync("chat");
            RoutedSidecar.await(() -> upstream.calls.size() == 1, "the first call in flight");
            CompletableFuture<HttpResponse<String>> second = sidecar.chatAsync("chat");
            RoutedSidecar.await(() -> upstream.calls.size() == 2, "the second call in flight");
            assertNotEquals(upstream.calls.get(0).upstream(), upstream.calls.get(1).upstream());

            HttpResponse<String> third = sidecar.chat("chat");
            assertEquals(429, third.statusCode(), third.body());
            assertEquals("no_deployments_available", error(third).path("code").asText());
            assertTrue(error(third).path("message").asText().contains("'chat#a' (provider openai) is at its "
                    + "max_parallel_requests (1 calls in flight)"), third.body());
            assertEquals("1", RoutedSidecar.header(third, "retry-after"));
            assertEquals(2, upstream.calls.size(), "the third call never reached a provider");

            release.countDown();
            assertEquals(200, first.get().statusCode());
            assertEquals(200, second.get().statusCode());
            assertEquals(200, sidecar.chat("chat").statusCode(), "slots are given back when calls end");
        }
    }

    @Test
    void aDeploymentWithoutAUsableCredentialIsSkippedWhileAnotherIsUsable() throws Exception {
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "broken", "tollgate_credential_error", "environment variable KEY_B is not set")
                .deployment("chat", "fine")
                .deployment("lonely", "broken2", "tollgate_credential_error", "environment variable KEY_C is not set")
                .start()) {
            assertEquals(Map.of("chat#fine", 20), spread(sidecar, "chat", 20));
            HttpResponse<String> r = sidecar.chat("lonely");
            assertEquals(500, r.statusCode());
            assertEquals("missing_credential", error(r).path("code").asText());
            assertEquals("lonely#broken2", deployment(r));
            assertEquals(0, upstream.callsTo("broken") + upstream.callsTo("broken2"));
        }
    }
}
