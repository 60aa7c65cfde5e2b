package dev.tollgate.sidecar.routing;

import static dev.tollgate.sidecar.routing.RoutedSidecar.deployment;
import static dev.tollgate.sidecar.routing.RoutedSidecar.error;
import static dev.tollgate.sidecar.routing.RoutedSidecar.header;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.proto.control.v1.RouterAttempt;
import dev.tollgate.proto.control.v1.RoutingFallbacks;
import dev.tollgate.proto.control.v1.UsageRecord;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fallbacks to other aliases: generic, default, context-window and content-policy lists, and turning them off. */
class FallbackTest {

    private FaultyOpenAi upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = new FaultyOpenAi();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    private static RoutingFallbacks to(String... aliases) {
        return RoutingFallbacks.newBuilder().addAllAliases(List.of(aliases)).build();
    }

    @Test
    void fallbacksAreTriedInOrderEachWithItsOwnRetries() throws Exception {
        upstream.always("p", FaultyOpenAi.status(503)).always("s", FaultyOpenAi.status(500));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("primary", "p").deployment("second", "s").deployment("third", "t")
                .settings(s -> s.setNumRetries(1).putFallbacks("primary", to("second", "third")))
                .start()) {
            HttpResponse<String> r = sidecar.chat("primary");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(List.of("p", "p", "s", "s", "t"), upstream.order());
            assertEquals("third", header(r, "x-tollgate-alias"), "the alias that answered");
            assertEquals("primary", header(r, "x-tollgate-fallback-from"), "the alias asked for");
            assertEquals("third#t", deployment(r));
            assertEquals("5", header(r, "x-tollgate-attempts"));

            UsageRecord record = sidecar.usage(0);
            assertEquals("third", record.getAlias());
            assertEquals("primary", record.getFallbackFrom());
            assertEquals(5, record.getAttempts());
            assertEquals(List.of("primary", "primary", "second", "second", "third"),
                    record.getRouterAttemptsList().stream().map(RouterAttempt::getAlias).toList());
            assertEquals(List.of(503, 503, 502, 502, 200),
                    record.getRouterAttemptsList().stream().map(RouterAttempt::getStatus).toList());
        }
    }

    @Test
    void defaultFallbacksServeAliasesWithoutTheirOwn() throws Exception {
        upstream.always("p", FaultyOpenAi.status(500));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("primary", "p").deployment("backup", "b")
                .settings(s -> s.addDefaultFallbacks("backup"))
                .start()) {
            HttpResponse<String> r = sidecar.chat("primary");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("backup", header(r, "x-tollgate-alias"));
        }
    }

    @Test
    void aContextWindowErrorGoesToTheContextWindowFallbacksOnly() throws Exception {
        upstream.always("small", FaultyOpenAi.CONTEXT_TOO_LONG);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("short", "small").deployment("other", "o").deployment("long", "big")
                .settings(s -> s.putFallbacks("short", to("other")).putContextWindowFallbacks("short", to("long")))
                .start()) {
            HttpResponse<String> r = sidecar.chat("short");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("long#big", deployment(r));
            assertEquals(List.of("small", "big"), upstream.order());
        }
    }

    @Test
    void withoutContextWindowFallbacksTheContextErrorReachesTheApp() throws Exception {
        upstream.always("small", FaultyOpenAi.CONTEXT_TOO_LONG);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("short", "small").deployment("other", "o")
                .settings(s -> s.putFallbacks("short", to("other")).addDefaultFallbacks("other"))
                .start()) {
            HttpResponse<String> r = sidecar.chat("short");
            assertEquals(400, r.statusCode());
            assertEquals("context_length_exceeded", error(r).path("code").asText());
            assertEquals(List.of("small"), upstream.order(), "a bigger prompt does not fit a generic fallback either");
        }
    }

    @Test
    void aContentPolicyRefusalGoesToTheContentPolicyFallbacks() throws Exception {
        upstream.always("strict", FaultyOpenAi.CONTENT_POLICY);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "strict").deployment("lenient", "l")
                .settings(s -> s.putContentPolicyFallbacks("chat", to("lenient")))
                .start()) {
            HttpResponse<String> r = sidecar.chat("chat");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("lenient", header(r, "x-tollgate-alias"));
            assertEquals("chat", header(r, "x-tollgate-fallback-from"));
        }
    }

    @Test
    void aBadRequestNeverFallsBack() throws Exception {
        upstream.always("p", FaultyOpenAi.BAD_REQUEST);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("primary", "p").deployment("backup", "b")
                .settings(s -> s.putFallbacks("primary", to("backup")))
                .start()) {
            HttpResponse<String> r = sidecar.chat("primary");
            assertEquals(400, r.statusCode());
            assertEquals("provider_bad_request", error(r).path("code").asText());
            assertEquals(List.of("p"), upstream.order());
        }
    }

    @Test
    void fallbacksCanBeTurnedOffPerRequest() throws Exception {
        upstream.always("p", FaultyOpenAi.status(500));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("primary", "p").deployment("backup", "b")
                .settings(s -> s.putFallbacks("primary", to("backup")))
                .start()) {
            assertEquals(502, sidecar.chat("primary", "x-tollgate-disable-fallbacks", "true").statusCode());
            assertEquals(502, sidecar.chat("primary", "x-litellm-disable-fallbacks", "true").statusCode());
            assertEquals(502, sidecar.post("/v1/chat/completions", "{\"model\":\"primary\",\"disable_fallbacks\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode());
            assertEquals(0, upstream.callsTo("b"));
            assertEquals(200, sidecar.chat("primary").statusCode(), "and are on otherwise");
        }
    }

    @Test
    void aKeyWhoseMetadataDisablesFallbacksGetsThePrimarysError() throws Exception {
        String noFallbacks = "sk-tollgate-no-fallbacks-0000000000000000";
        upstream.always("p", FaultyOpenAi.status(500));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("primary", "p").deployment("backup", "b")
                .settings(s -> s.putFallbacks("primary", to("backup")))
                .key(noFallbacks, k -> k.setDisableFallbacks(true))
                .start()) {
            HttpResponse<String> refused = sidecar.chatAs(noFallbacks, "primary");
            assertEquals(502, refused.statusCode(), refused.body());
            assertEquals("provider_error", error(refused).path("code").asText(), refused.body());
            assertEquals(0, upstream.callsTo("b"));

            HttpResponse<String> other = sidecar.chat("primary");
            assertEquals(200, other.statusCode(), "another key still falls back: " + other.body());
            assertEquals("backup#b", deployment(other));
            assertEquals(1, upstream.callsTo("b"));
        }
    }

    @Test
    void anAliasWithEveryDeploymentCoolingDownFallsBackWithoutCallingIt() throws Exception {
        upstream.always("p", FaultyOpenAi.status(401));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("primary", "p").deployment("backup", "b")
                .settings(s -> s.setAllowedFails(0).putFallbacks("primary", to("backup")))
                .start()) {
            assertEquals(200, sidecar.chat("primary").statusCode());
            HttpResponse<String> r = sidecar.chat("primary");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("1", header(r, "x-tollgate-attempts"), "primary is cooling down: only backup was called");
            assertEquals(List.of("p", "b", "b"), upstream.order());
        }
    }

    @Test
    void whenEveryFallbackFailsTheLastErrorIsReturned() throws Exception {
        upstream.always("p", FaultyOpenAi.status(503)).always("b", FaultyOpenAi.status(401));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("primary", "p").deployment("backup", "b")
                .settings(s -> s.putFallbacks("primary", to("backup")))
                .start()) {
            HttpResponse<String> r = sidecar.chat("primary");
            assertEquals(401, r.statusCode());
            assertEquals("backup#b", deployment(r));
            assertEquals("2", header(r, "x-tollgate-attempts"));
            UsageRecord record = sidecar.usage(0);
            assertEquals("backup", record.getAlias());
            assertEquals("primary", record.getFallbackFrom());
        }
    }

    @Test
    void modelGroupAliasServesTheAliasItNames() throws Exception {
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("gpt-4o", "g")
                .settings(s -> s.putModelGroupAlias("gpt-4", "gpt-4o"))
                .start()) {
            HttpResponse<String> r = sidecar.chat("gpt-4");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("gpt-4o", header(r, "x-tollgate-alias"));
        }
    }
}
