package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a real sidecar process in the middle of a slow stream: the stream completes normally,
 * new requests are refused, the process exits 0 within its bound, its shutdown is in its log, and
 * the stream's usage row reaches the control plane.
 */
class GracefulShutdownEndToEndTest {

    /** 25 words, 200 ms apart: a stream of about 5 s. */
    private static final String WORDS = IntStream.rangeClosed(1, 25).mapToObj(i -> "w" + i)
            .collect(Collectors.joining(" "));
    private static final String CONFIG = """
            model_list:
              - model_name: slow
                litellm_params:
                  model: mock/slow-v1
                  mock_response: "%s"
                  mock_chunk_delay_ms: "200"
                  input_cost_per_token: "0.000001"
                  output_cost_per_token: "0.000002"
            general_settings:
              master_key: os.environ/TOLLGATE_MASTER_KEY
            """.formatted(WORDS);

    private Stack stack;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stop() throws Exception {
        client.close();
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void sigtermMidStreamLetsTheStreamFinishRefusesNewRequestsExitsZeroAndDeliversItsUsage() throws Exception {
        stack = new Stack("graceful", Files.createTempDirectory("tollgate-e2e-graceful"), CONFIG, Map.of());
        stack.startControlPlane();
        stack.startSidecar();
        stack.awaitSidecarReady();
        String key = stack.newKey("{\"key_alias\":\"graceful\"}");

        HttpResponse<java.util.stream.Stream<String>> stream = client.send(chat(key, true),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        Iterator<String> lines = stream.body().iterator();
        List<String> received = new ArrayList<>();
        received.add(lines.next());
        long sigterm = System.nanoTime();
        stack.sidecar.sigterm();

        assertTrue(Http.await(Duration.ofSeconds(3), () -> Stack.status(() -> Http.get(stack.sidecarUrl()
                + "/health/readiness", null)) == 503), "readiness turns 503 while draining");
        HttpResponse<String> refused = client.send(chat(key, false), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("shutting_down", Http.json(refused).path("error").path("code").asText(), refused.body());

        lines.forEachRemaining(received::add);
        List<String> data = received.stream().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertEquals("[DONE]", data.getLast(), "the stream ended normally: " + data);
        String text = data.stream().filter(d -> !d.equals("[DONE]")).map(GracefulShutdownEndToEndTest::json)
                .map(c -> c.path("choices").path(0).path("delta").path("content").asText())
                .collect(Collectors.joining());
        assertEquals(WORDS, text, "every chunk arrived");

        OptionalInt exit = stack.sidecar.awaitExit(Duration.ofSeconds(30));
        long stoppedMs = (System.nanoTime() - sigterm) / 1_000_000;
        assertEquals(OptionalInt.of(0), exit, "exit code after SIGTERM");
        assertTrue(Stack.status(() -> Http.get(stack.sidecarUrl() + "/health/liveliness", null)) == -1,
                "the port is closed once the sidecar is gone");
        String log = Files.readString(stack.sidecar.log());
        assertTrue(log.contains("sidecar stopping: readiness 503"), log);
        assertTrue(log.contains("usage flushed: 1 record(s) acknowledged"), log);
        assertTrue(log.contains("sidecar stopped in"), "the last line of the sequence was logged:\n" + log);

        String id = stream.headers().firstValue("x-tollgate-request-id").orElseThrow();
        JsonNode rows = stack.spendLogs("?request_id=" + id);
        assertEquals(1, rows.size(), "the stream's usage row was flushed before exit: " + rows);
        assertEquals(200, rows.get(0).path("status").asInt());
        System.out.println("sidecar SIGTERM mid-stream: stream completed, exit 0 after " + stoppedMs + " ms");
    }

    private HttpRequest chat(String key, boolean stream) {
        String body = "{\"model\":\"slow\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        return HttpRequest.newBuilder(URI.create(stack.sidecarUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static JsonNode json(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
