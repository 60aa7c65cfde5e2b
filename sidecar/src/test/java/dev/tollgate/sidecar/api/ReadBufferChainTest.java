package dev.tollgate.sidecar.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.sidecar.testing.TestSidecar;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link ReadBufferChain} with the Helidon this build bundles: it finds Helidon's internals (else a
 * Helidon upgrade would silently bring the old-generation leak back), and requests on one
 * connection, one after another, pipelined, or split across reads, are all still read right.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadBufferChainTest {

    private static final String CHAT = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private TestSidecar sidecar;

    @BeforeAll
    void start() {
        sidecar = new TestSidecar(TestSidecar.deployment("chat", "mock", "mock-v1", "", "", Map.of()));
    }

    @AfterAll
    void stop() {
        sidecar.close();
    }

    private static String chat() {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TestSidecar.KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: " + CHAT.length() + "\r\n\r\n" + CHAT;
    }

    private static void assertChatAnswer(String response) {
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertTrue(response.contains("\"chat.completion\""), response);
    }

    @Test
    void helidonsReaderInternalsAreFound() {
        assertTrue(ReadBufferChain.active(), "Helidon's DataReader fields were not found: the workaround is off");
    }

    @Test
    void requestsOneAfterAnotherOnOneConnectionAreAllAnswered() throws Exception {
        try (RawHttp c = new RawHttp(sidecar.port())) {
            for (int i = 0; i < 20; i++) {
                c.send(chat());
                assertChatAnswer(c.readResponse());
            }
        }
    }

    @Test
    void pipelinedRequestsAreAllAnsweredInOrder() throws Exception {
        try (RawHttp c = new RawHttp(sidecar.port())) {
            // The second and third requests are buffered while the first is handled: nothing may be dropped.
            c.send(chat() + "GET /health/liveliness HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + chat());
            assertChatAnswer(c.readResponse());
            String health = c.readResponse();
            assertTrue(health.startsWith("HTTP/1.1 200"), health);
            assertTrue(health.contains("alive"), health);
            assertChatAnswer(c.readResponse());
        }
    }

    @Test
    void aRequestSplitAcrossReadsIsReadWhole() throws Exception {
        try (RawHttp c = new RawHttp(sidecar.port())) {
            String request = chat();
            int cut = request.indexOf("\r\n\r\n") + 10;
            for (int i = 0; i < 3; i++) {
                c.send(request.substring(0, cut));
                Thread.sleep(20); // a separate segment, so the server reads it separately
                c.send(request.substring(cut));
                assertChatAnswer(c.readResponse());
            }
            c.send("GET /health/liveliness HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            String health = c.readResponse();
            assertTrue(health.startsWith("HTTP/1.1 200"), health);
        }
    }
}
