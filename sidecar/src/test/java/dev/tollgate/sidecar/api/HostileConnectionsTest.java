package dev.tollgate.sidecar.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.sidecar.testing.TestSidecar;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hostile connections through the real sidecar over raw sockets: oversized headers, a body
 * trickled slower than the deadline, a client that goes silent, more connections than allowed.
 * Each is refused or closed, and other clients keep being served meanwhile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileConnectionsTest {

    /** Short bounds so the slow-sender cases take about a second each. */
    private static final ServerLimits LIMITS = new ServerLimits(16 * 1024, Duration.ofMillis(1_500),
            Duration.ofSeconds(1), 64);
    private static final String CHAT = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private TestSidecar sidecar;

    @BeforeAll
    void start() {
        sidecar = new TestSidecar("127.0.0.1", LIMITS, TestSidecar.deployment("chat", "mock", "mock-v1", "", "", Map.of()));
    }

    @AfterAll
    void stop() {
        sidecar.close();
    }

    private void assertStillServing() throws Exception {
        HttpResponse<String> ok = sidecar.post("/v1/chat/completions", CHAT);
        assertEquals(200, ok.statusCode(), ok.body());
    }

    private static String head(String method, String path, String... extraLines) {
        StringBuilder b = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer " + TestSidecar.KEY + "\r\n");
        for (String line : extraLines) {
            b.append(line).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    @Test
    void headersOverTheLimitAre431InTheEnvelopeAndTheConnectionCloses() throws Exception {
        try (RawHttp c = new RawHttp(sidecar.port())) {
            c.send(head("GET", "/v1/models", "X-Padding: " + "a".repeat(20_000)));
            String response = c.readResponse();
            assertTrue(response.startsWith("HTTP/1.1 431"), response);
            assertTrue(response.contains("\"code\":\"request_header_too_large\""), response);
            assertTrue(response.contains("16384 bytes"), response);
            assertTrue(c.closedByServer(Duration.ofSeconds(5)), "connection left open after 431");
        }
        assertStillServing();
    }

    @Test
    void headersPastHelidonsCapAre400InTheEnvelope() throws Exception {
        try (RawHttp c = new RawHttp(sidecar.port())) {
            c.send(head("GET", "/v1/models", "X-Padding: " + "a".repeat(70_000)));
            String response = c.readResponse();
            assertTrue(response.startsWith("HTTP/1.1 400"), response);
            assertTrue(response.contains("\"code\":\"malformed_http_request\""), response);
            assertFalse(response.contains("aaaa"), "the refused header must not be echoed");
            assertTrue(c.closedByServer(Duration.ofSeconds(5)));
        }
        assertStillServing();
    }

    @Test
    void bodyTrickledPastTheDeadlineIs408AndOthersAreServedMeanwhile() throws Exception {
        try (RawHttp slow = new RawHttp(sidecar.port())) {
            slow.send(head("POST", "/v1/chat/completions", "Content-Type: application/json",
                    "Content-Length: " + (CHAT.length() + 1_000)));
            long start = System.nanoTime();
            boolean served = false;
            // A byte every 100 ms: never silent for the read timeout, but far slower than the deadline.
            for (int i = 0; i < 1_000 && !slow.answered(); i++) {
                slow.send(" ");
                if (!served) {
                    assertStillServing();
                    served = true;
                }
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                if (System.nanoTime() - start > Duration.ofSeconds(20).toNanos()) {
                    break;
                }
            }
            String response = slow.readResponse();
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(response.startsWith("HTTP/1.1 408"), response);
            assertTrue(response.contains("\"code\":\"request_timeout\""), response);
            assertTrue(elapsedMs >= 1_000 && elapsedMs < 8_000, "refused after " + elapsedMs + " ms");
            assertTrue(slow.closedByServer(Duration.ofSeconds(5)), "connection left open after 408");
        }
        assertStillServing();
    }

    @Test
    void clientThatGoesSilentMidBodyHasItsConnectionClosedAfterTheDeadline() throws Exception {
        try (RawHttp silent = new RawHttp(sidecar.port())) {
            silent.send(head("POST", "/v1/chat/completions", "Content-Type: application/json",
                    "Content-Length: 500") + "{\"model\":");
            long start = System.nanoTime();
            assertStillServing();
            // Deadline (1 s) plus the watchdog's grace (1 s here): closed, not left hanging.
            assertTrue(silent.closedByServer(Duration.ofSeconds(8)), "silent client's connection left open");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs >= 1_000 && elapsedMs < 8_000, "closed after " + elapsedMs + " ms");
        }
        assertStillServing();
    }

    @Test
    void connectionThatNeverSendsARequestIsClosedWhenIdle() throws Exception {
        try (RawHttp idle = new RawHttp(sidecar.port())) {
            idle.send("GET /v1/mo");
            assertTrue(idle.closedByServer(Duration.ofSeconds(8)), "idle connection left open");
        }
    }

    @Test
    void connectionsBeyondTheBoundWaitUntilOneCloses() throws Exception {
        ServerLimits two = new ServerLimits(16 * 1024, Duration.ofSeconds(60), Duration.ofSeconds(60), 2);
        try (TestSidecar small = new TestSidecar("127.0.0.1", two,
                TestSidecar.deployment("chat", "mock", "mock-v1", "", "", Map.of()))) {
            connectionsBeyondTheBoundWaitUntilOneCloses(small.port(), two.maxConnections());
        }
    }

    private static void connectionsBeyondTheBoundWaitUntilOneCloses(int port, int bound) throws Exception {
        RawHttp[] held = new RawHttp[bound];
        try {
            for (int i = 0; i < held.length; i++) {
                held[i] = new RawHttp(port);
                // A complete request on each, so each connection is surely accepted and counted.
                held[i].send(head("GET", "/health/liveliness"));
                assertTrue(held[i].readResponse().startsWith("HTTP/1.1 200"));
            }
            try (RawHttp extra = new RawHttp(port)) {
                extra.send(head("GET", "/health/liveliness"));
                assertFalse(extra.closedByServer(Duration.ofMillis(500)) || extra.answered(),
                        "a connection beyond the bound was served");
                held[0].close();
                held[0] = null;
                assertTrue(extra.readResponse().startsWith("HTTP/1.1 200"));
            }
        } finally {
            for (RawHttp c : held) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }
}
