package dev.tollgate.sidecar.routing;

import static dev.tollgate.sidecar.routing.RoutedSidecar.JSON;
import static dev.tollgate.sidecar.routing.RoutedSidecar.deployment;
import static dev.tollgate.sidecar.routing.RoutedSidecar.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.proto.control.v1.RoutingFallbacks;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.sidecar.LogCapture;
import dev.tollgate.sidecar.testing.SseData;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A stream is retried or falls back only before its first byte reached the client; after that, an error event. */
class StreamRoutingTest {

    private FaultyOpenAi upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = new FaultyOpenAi();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    private RoutedSidecar.Builder twoDeployments() {
        return RoutedSidecar.on(upstream)
                .deployment("chat", "a", "order", "1")
                .deployment("chat", "b", "order", "2")
                .deployment("other", "o")
                .settings(s -> s.setNumRetries(2).putFallbacks("chat", RoutingFallbacks.newBuilder()
                        .addAliases("other").build()));
    }

    private static String content(List<String> data) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String d : data) {
            if (!d.equals("[DONE]")) {
                text.append(JSON.readTree(d).path("choices").path(0).path("delta").path("content").asText(""));
            }
        }
        return text.toString();
    }

    @Test
    void aStreamThatFailsBeforeItsFirstByteIsRetriedOnAnotherDeployment() throws Exception {
        upstream.always("a", FaultyOpenAi.status(503));
        try (RoutedSidecar sidecar = twoDeployments().start()) {
            HttpResponse<String> r = sidecar.stream("chat");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("chat#b", deployment(r));
            assertEquals("2", header(r, "x-tollgate-attempts"));
            List<String> data = SseData.of(r.body());
            assertEquals("from b", content(data), "one clean stream, from b only");
            assertEquals("[DONE]", data.get(data.size() - 1));
        }
    }

    @Test
    void aStreamThatFailsAfterItsFirstByteEndsWithAnErrorEventAndIsNeitherRetriedNorFallenBack() throws Exception {
        upstream.always("a", new FaultyOpenAi.ErrorAfterFirstChunk());
        try (RoutedSidecar sidecar = twoDeployments().start()) {
            HttpResponse<String> r = sidecar.stream("chat");
            assertEquals(200, r.statusCode(), "the status went out with the first chunk");
            assertEquals("chat#a", deployment(r));
            List<String> data = SseData.of(r.body());
            assertEquals("from", content(data.subList(0, 1)));
            JsonNode last = JSON.readTree(data.get(data.size() - 1));
            assertEquals("provider_stream_error", last.path("error").path("code").asText());
            assertTrue(!r.body().contains("[DONE]"), r.body());
            assertEquals(List.of("a"), upstream.order());

            UsageRecord record = sidecar.usage(0);
            assertEquals(502, record.getHttpStatus());
            assertEquals("provider_stream_error", record.getErrorType());
            assertEquals(1, record.getAttempts());
        }
    }

    @Test
    void aStreamWhoseConnectionDropsAfterItsFirstByteEndsWithAConnectionErrorEvent() throws Exception {
        upstream.always("a", new FaultyOpenAi.DropAfterFirstChunk());
        try (RoutedSidecar sidecar = twoDeployments().start()) {
            HttpResponse<String> r = sidecar.stream("chat");
            assertEquals(200, r.statusCode());
            List<String> data = SseData.of(r.body());
            JsonNode last = JSON.readTree(data.get(data.size() - 1));
            assertEquals("provider_connection_error", last.path("error").path("code").asText(), r.body());
            assertEquals(List.of("a"), upstream.order());
        }
    }

    @Test
    void aStreamThatEndsWithoutDoneAfterItsFirstByteEndsWithAnErrorEvent() throws Exception {
        upstream.always("a", new FaultyOpenAi.EndAfterFirstChunk());
        try (RoutedSidecar sidecar = twoDeployments().start()) {
            HttpResponse<String> r = sidecar.stream("chat");
            List<String> data = SseData.of(r.body());
            JsonNode last = JSON.readTree(data.get(data.size() - 1));
            assertEquals("provider_stream_error", last.path("error").path("code").asText(), r.body());
            assertTrue(last.path("error").path("message").asText().contains("ended before data: [DONE]"), r.body());
        }
    }

    @Test
    void noFirstTokenWithinStreamTimeoutMovesTheStreamToAnotherDeployment() throws Exception {
        upstream.always("a", FaultyOpenAi.HANG);
        try (RoutedSidecar sidecar = twoDeployments().start()) {
            long start = System.nanoTime();
            HttpResponse<String> r = sidecar.stream("chat", "x-tollgate-stream-timeout", "0.3");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("chat#b", deployment(r));
            assertEquals("from b", content(SseData.of(r.body())));
            assertTrue(elapsedMs >= 280 && elapsedMs < 2_000, elapsedMs + " ms");
            assertEquals("provider_timeout", sidecar.usage(0).getRouterAttempts(0).getErrorCode());
        }
    }

    @Test
    void aDeploymentsStreamTimeoutNamesItselfWhenNothingElseIsLeft() throws Exception {
        upstream.always("solo", FaultyOpenAi.HANG);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream)
                .deployment("chat", "solo", "stream_timeout", "0.2")
                .start()) {
            HttpResponse<String> r = sidecar.stream("chat");
            assertEquals(504, r.statusCode(), r.body());
            assertEquals("Deployment 'chat#solo' (provider openai) behind alias 'chat': no first token within the "
                    + "deployment's stream_timeout of 0.2 s. Check the provider's health, or raise the timeout if its "
                    + "answers are simply long.", RoutedSidecar.error(r).path("message").asText());
        }
    }

    @Test
    void aClientThatHangsUpMidStreamIsRecordedAsClientClosedWithoutAnErrorLogged() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        upstream.always("solo", new FaultyOpenAi.HeldAfterFirstChunk(release));
        try (LogCapture errors = LogCapture.start(Level.SEVERE);
             RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo").start()) {
            try (Socket client = new Socket("127.0.0.1", sidecar.port())) {
                byte[] body = RoutedSidecar.STREAM.formatted("chat").getBytes(StandardCharsets.UTF_8);
                client.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Authorization: Bearer " + TestSidecar.KEY + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().write(body);
                InputStream in = client.getInputStream();
                ByteArrayOutputStream seen = new ByteArrayOutputStream();
                // The whole first chunk, to the end of its chunked framing: a close with unread bytes would be a reset.
                while (!seen.toString(StandardCharsets.UTF_8).contains("\"content\":\"from\"")
                        || !seen.toString(StandardCharsets.UTF_8).endsWith("\n\n\r\n")) {
                    int b = in.read();
                    assertTrue(b >= 0, "the stream ended before its first chunk: " + seen);
                    seen.write(b);
                }
                // Hang up (a FIN): the sidecar's next write still succeeds, the one after it (the
                // response's end) fails.
            }
            release.countDown();

            UsageRecord u = sidecar.usage(0);
            assertEquals(499, u.getHttpStatus());
            assertEquals("client_closed", u.getErrorType());
            assertEquals(List.of(), errors.lines());
        }
    }
}
