package dev.tollgate.sidecar.routing;

import static dev.tollgate.sidecar.routing.RoutedSidecar.JSON;
import static dev.tollgate.sidecar.routing.RoutedSidecar.deployment;
import static dev.tollgate.sidecar.routing.RoutedSidecar.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.proto.control.v1.RoutingFallbacks;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** /v1/embeddings and the Anthropic-compatible /v1/messages go through the same router as chat completions. */
class RoutedSurfacesTest {

    private static final String MESSAGE = "{\"model\":\"chat\",\"max_tokens\":16,%s\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}";

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
    void embeddingsAreRetriedOnAnotherDeployment() throws Exception {
        upstream.always("a", FaultyOpenAi.status(500));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("embed", "a", "order", "1").deployment("embed", "b", "order", "2")
                .settings(s -> s.setNumRetries(1))
                .start()) {
            HttpResponse<String> r = sidecar.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"hi\"}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("embed#b", deployment(r));
            assertEquals("2", header(r, "x-tollgate-attempts"));
            assertEquals("b", JSON.readTree(r.body()).path("model").asText());
        }
    }

    @Test
    void messagesFallBackToAnotherAlias() throws Exception {
        upstream.always("a", FaultyOpenAi.status(503));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a").deployment("other", "o")
                .settings(s -> s.putFallbacks("chat", RoutingFallbacks.newBuilder().addAliases("other").build()))
                .start()) {
            HttpResponse<String> r = sidecar.post("/v1/messages", MESSAGE.formatted(""));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode message = JSON.readTree(r.body());
            assertEquals("message", message.path("type").asText());
            assertEquals("from o", message.path("content").get(0).path("text").asText());
            assertEquals("other", header(r, "x-tollgate-alias"));
            assertEquals("chat", header(r, "x-tollgate-fallback-from"));
        }
    }

    @Test
    void messagesStreamsAreRetriedBeforeTheirFirstByte() throws Exception {
        upstream.always("a", FaultyOpenAi.status(529));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "order", "1").deployment("chat", "b", "order", "2")
                .settings(s -> s.setNumRetries(1))
                .start()) {
            HttpResponse<String> r = sidecar.post("/v1/messages", MESSAGE.formatted("\"stream\":true,"));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("chat#b", deployment(r));
            assertTrue(r.body().startsWith("event: message_start"), r.body());
            assertTrue(r.body().contains("\"text\":\" b\""), r.body());
            assertTrue(r.body().contains("event: message_stop"), r.body());
            assertEquals(List.of("a", "b"), upstream.order());
        }
    }

    @Test
    void messagesStreamsFailingAfterTheirFirstByteEndWithAnthropicsErrorEvent() throws Exception {
        upstream.always("a", new FaultyOpenAi.ErrorAfterFirstChunk());
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "a", "order", "1").deployment("chat", "b", "order", "2")
                .settings(s -> s.setNumRetries(1))
                .start()) {
            HttpResponse<String> r = sidecar.post("/v1/messages", MESSAGE.formatted("\"stream\":true,"));
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("event: error"), r.body());
            assertEquals(List.of("a"), upstream.order());
        }
    }
}
