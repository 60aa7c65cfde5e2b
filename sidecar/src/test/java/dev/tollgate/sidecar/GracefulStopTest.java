package dev.tollgate.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.sidecar.control.ControlPlaneAddresses;
import dev.tollgate.sidecar.provider.UpstreamDebug;
import dev.tollgate.sidecar.telemetry.RequestObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RunningSidecar#stop()} (what SIGTERM runs): readiness and new requests turn 503 at once,
 * a stream in flight finishes, or is cut with a {@code shutting_down} event at the drain bound, and
 * its usage reaches the control plane before the stop returns.
 */
class GracefulStopTest {

    private static final String KEY = "sk-graceful-test";
    private static final String WORDS = IntStream.rangeClosed(1, 30).mapToObj(i -> "w" + i)
            .collect(Collectors.joining(" "));

    @TempDir
    Path dir;
    private FakeControlPlane controlPlane;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void close() {
        if (controlPlane != null) {
            controlPlane.close();
        }
        client.close();
    }

    private RunningSidecar start(long chunkDelayMs, Duration drainTimeout) throws Exception {
        PolicySnapshot policy = TestPolicy.snapshot(1,
                List.of(TestPolicy.alias("slow", TestPolicy.mock("slow-model", Map.of("mock_response", WORDS,
                        "mock_chunk_delay_ms", Long.toString(chunkDelayMs)))),
                        TestPolicy.alias("waiting", TestPolicy.mock("waiting-model", Map.of("mock_latency_ms", "15000")))),
                List.of(TestPolicy.key(KEY, "graceful")));
        controlPlane = FakeControlPlane.start(0, policy);
        RunningSidecar sidecar = Main.start(new SidecarSettings("127.0.0.1", 0,
                ControlPlaneAddresses.parse(controlPlane.target()), dir, "graceful-test", RequestObserver.LogFormat.OFF,
                UpstreamDebug.Mode.WHEN_KEY_ALLOWS, drainTimeout, "token"));
        Await.until("the sidecar is ready", Duration.ofSeconds(10), () -> status(sidecar, "/health/readiness") == 200);
        return sidecar;
    }

    @Test
    void streamInFlightFinishesWhileNewRequestsAreRefusedAndItsUsageIsFlushed() throws Exception {
        RunningSidecar sidecar = start(100, Duration.ofSeconds(20));
        HttpResponse<java.util.stream.Stream<String>> stream = client.send(chat(sidecar, true),
                HttpResponse.BodyHandlers.ofLines());
        Iterator<String> lines = stream.body().iterator();
        List<String> received = new ArrayList<>();
        received.add(lines.next());

        Thread stopper = Thread.ofVirtual().start(sidecar::stop);

        Await.until("readiness turns 503", Duration.ofSeconds(2), () -> status(sidecar, "/health/readiness") == 503);
        HttpResponse<String> refused = client.send(chat(sidecar, false), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("shutting_down", Sidecar.json(refused.body()).path("error").path("code").asText(), refused.body());
        lines.forEachRemaining(received::add);

        List<String> data = Sidecar.events(String.join("\n", received));
        assertEquals("[DONE]", data.getLast(), "the stream ended normally: " + data);
        String text = data.stream().filter(d -> !d.equals("[DONE]")).map(Sidecar::json)
                .map(c -> c.path("choices").path(0).path("delta").path("content").asText()).collect(Collectors.joining());
        assertEquals(WORDS, text);
        assertTrue(stopper.join(Duration.ofSeconds(15)), "stop() returned within its bound");
        String id = stream.headers().firstValue("x-tollgate-request-id").orElseThrow();
        UsageRecord usage = controlPlane.awaitUsage(id, Duration.ofMillis(1));
        assertEquals(200, usage.getHttpStatus());
    }

    @Test
    void streamStillRunningAtTheBoundEndsWithAShuttingDownEventAndItsUsageIsRecorded() throws Exception {
        RunningSidecar sidecar = start(500, Duration.ofMillis(300));
        HttpResponse<java.util.stream.Stream<String>> stream = client.send(chat(sidecar, true),
                HttpResponse.BodyHandlers.ofLines());
        Iterator<String> lines = stream.body().iterator();
        List<String> received = new ArrayList<>();
        received.add(lines.next());
        long start = System.nanoTime();

        Thread stopper = Thread.ofVirtual().start(sidecar::stop);
        lines.forEachRemaining(received::add);

        List<String> data = Sidecar.events(String.join("\n", received));
        assertFalse(data.contains("[DONE]"), "a cut stream has no [DONE]: " + data);
        JsonNode error = Sidecar.json(data.getLast()).path("error");
        assertEquals("shutting_down", error.path("code").asText(), data.getLast());
        assertTrue(error.path("message").asText().contains("--drain-timeout"), data.getLast());
        assertTrue(stopper.join(Duration.ofSeconds(15)), "stop() returned within its bound");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "the 15 s stream was cut, not awaited");
        UsageRecord usage = controlPlane.awaitUsage(stream.headers().firstValue("x-tollgate-request-id").orElseThrow(),
                Duration.ofMillis(1));
        assertEquals(503, usage.getHttpStatus());
        assertEquals("shutting_down", usage.getErrorType());
    }

    @Test
    void aCallStillWaitingForItsProviderAtTheBoundIsAnsweredShuttingDownAndItsUsageIsRecorded() throws Exception {
        RunningSidecar sidecar = start(0, Duration.ofMillis(300));
        HttpRequest waiting = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.port()
                        + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Sidecar.chatBody("waiting", "hi")))
                .build();
        java.util.concurrent.CompletableFuture<HttpResponse<String>> answer = client.sendAsync(waiting,
                HttpResponse.BodyHandlers.ofString());
        Await.until("the request is in flight", Duration.ofSeconds(5), () -> metric(sidecar,
                "tollgate_requests_in_flight 1"));
        long start = System.nanoTime();

        // The mock provider swallows the drain's interrupt and answers anyway (as an adapter might):
        // the request must still end as cut, not as answered.
        Thread stopper = Thread.ofVirtual().start(sidecar::stop);
        HttpResponse<String> cut = answer.get(15, TimeUnit.SECONDS);

        assertEquals(503, cut.statusCode(), cut.body());
        assertEquals("shutting_down", Sidecar.json(cut.body()).path("error").path("code").asText(), cut.body());
        assertTrue(stopper.join(Duration.ofSeconds(15)), "stop() returned within its bound");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "the 15 s call was cut, not awaited");
        UsageRecord usage = controlPlane.awaitUsage(cut.headers().firstValue("x-tollgate-request-id").orElseThrow(),
                Duration.ofMillis(1));
        assertEquals(503, usage.getHttpStatus());
        assertEquals("shutting_down", usage.getErrorType());
    }

    private boolean metric(RunningSidecar sidecar, String line) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.port() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body().lines().anyMatch(line::equals);
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private HttpRequest chat(RunningSidecar sidecar, boolean stream) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(stream ? Sidecar.streamBody("slow", "hi", false)
                        : Sidecar.chatBody("slow", "hi")))
                .build();
    }

    private int status(RunningSidecar sidecar, String path) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.port() + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
