package dev.tollgate.sidecar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.proto.control.v1.RoutingFallbacks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the router did, on the sidecar's /metrics: fallbacks that answered, provider errors, deployment state. */
class RouterMetricsTest {

    private FaultyOpenAi upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = new FaultyOpenAi();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    @Test
    void aFallbackThatAnsweredAndTheProviderErrorBeforeItAreCounted() throws Exception {
        upstream.always("p", FaultyOpenAi.status(500));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("primary", "p").deployment("backup", "b")
                .settings(s -> s.putFallbacks("primary", RoutingFallbacks.newBuilder().addAliases("backup").build()))
                .start()) {
            assertEquals(200, sidecar.chat("primary").statusCode());
            sidecar.usage(0);
            RoutedSidecar.await(() -> scrape(sidecar).contains("tollgate_fallbacks_total"), "the fallback metric");
            String text = scrape(sidecar);
            assertTrue(text.contains("tollgate_fallbacks_total{alias=\"backup\",from=\"primary\"} 1\n"), text);
            assertTrue(text.contains("tollgate_provider_errors_total{deployment=\"primary#p\",code=\"provider_error\"} 1\n"),
                    text);
        }
    }

    @Test
    void aDeploymentCoolingDownIsSoInTheStateGauge() throws Exception {
        upstream.always("bad", FaultyOpenAi.status(401));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "bad", "order", "1").deployment("chat", "good", "order", "2")
                .start()) {
            String before = scrape(sidecar);
            assertTrue(before.contains("tollgate_deployment_state{alias=\"chat\",deployment=\"chat#bad\",state=\"healthy\"} 1\n"),
                    before);
            assertTrue(before.contains("tollgate_deployment_state{alias=\"chat\",deployment=\"chat#bad\",state=\"cooling\"} 0\n"),
                    before);
            sidecar.chat("chat");
            String after = scrape(sidecar);
            assertTrue(after.contains("tollgate_deployment_state{alias=\"chat\",deployment=\"chat#bad\",state=\"cooling\"} 1\n"),
                    "a 401 cools a deployment down at once: " + after);
            assertTrue(after.contains("tollgate_deployment_state{alias=\"chat\",deployment=\"chat#bad\",state=\"healthy\"} 0\n"),
                    after);
            assertTrue(after.contains("tollgate_deployment_state{alias=\"chat\",deployment=\"chat#good\",state=\"healthy\"} 1\n"),
                    after);
        }
    }

    private static String scrape(RoutedSidecar sidecar) {
        try {
            return sidecar.metrics();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
