package dev.tollgate.sidecar.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpstreamHttpClientTest {

    private static final String OK_HELLO = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello";

    private final UpstreamHttpClient client = UpstreamHttpClient.withDefaultTls(
            new UpstreamHttpClient.Settings(Duration.ofSeconds(2), 8, Duration.ofSeconds(30)));

    @AfterEach
    void closeClient() {
        client.close();
    }

    private static HttpRequest post(RawServer server, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions?x=1"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    @Test
    void keepAliveConnectionCarriesTheNextRequests() throws Exception {
        try (RawServer server = new RawServer(peer -> {
            while (peer.readRequest() != null) {
                peer.write(OK_HELLO);
            }
        })) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(post(server, "{\"n\":" + i + "}"), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("hello", r.body());
                assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
            }
            assertEquals(1, server.connections());
            assertEquals(3, server.requests.size());
            String first = server.requests.get(0);
            assertTrue(first.startsWith("POST /v1/chat/completions?x=1 HTTP/1.1\r\n"), first);
            assertTrue(first.contains("\r\nHost: 127.0.0.1:" + server.port() + "\r\n"), first);
            assertTrue(first.contains("\r\nContent-Length: 7\r\n"), first);
            assertTrue(first.endsWith("\r\n\r\n{\"n\":0}"), first);
            assertEquals(1, client.idleConnections(post(server, "").uri()));
        }
    }

    @Test
    void chunkedBodyIsDecodedIntoBytes() throws Exception {
        try (RawServer server = new RawServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n" + "7\r\n, world\r\n" + "0\r\nX-Trailer: t\r\n\r\n");
            peer.readRequest();
            peer.write(OK_HELLO);
        })) {
            HttpResponse<byte[]> r = client.send(post(server, "{}"), HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals("hello, world".getBytes(StandardCharsets.UTF_8), r.body());
            // The chunked body ended cleanly, so the connection carries the next request.
            assertEquals("hello", client.send(post(server, "{}"), HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(1, server.connections());
        }
    }

    @Test
    void streamedChunkReachesTheReaderBeforeTheNextIsSent() throws Exception {
        CountDownLatch firstRead = new CountDownLatch(1);
        try (RawServer server = new RawServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "f\r\ndata: {\"a\":1}\n\n\r\n");
            // The second chunk goes only once the client has the first: a buffering client never gets it.
            if (!firstRead.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the client did not hand on the first chunk");
            }
            peer.write("f\r\ndata: {\"b\":2}\n\n\r\n0\r\n\r\n");
        })) {
            HttpResponse<InputStream> r = client.send(post(server, "{}"), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                byte[] buf = new byte[1024];
                int n = in.read(buf);
                assertEquals("data: {\"a\":1}\n\n", new String(buf, 0, n, StandardCharsets.UTF_8));
                firstRead.countDown();
                assertEquals("data: {\"b\":2}\n\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertEquals(1, client.idleConnections(r.uri()));
        }
    }

    @Test
    void closingAStreamEarlyClosesTheUpstreamConnection() throws Exception {
        CountDownLatch upstreamSawClose = new CountDownLatch(1);
        try (RawServer server = new RawServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
            if (peer.clientClosed()) {
                upstreamSawClose.countDown();
            }
        })) {
            HttpResponse<InputStream> r = client.send(post(server, "{}"), HttpResponse.BodyHandlers.ofInputStream());
            InputStream in = r.body();
            assertEquals('a', in.read());
            in.close();
            assertTrue(upstreamSawClose.await(10, TimeUnit.SECONDS), "the upstream saw the connection close");
            assertEquals(0, client.idleConnections(r.uri()));
        }
    }

    @Test
    void streamClosedAtItsLastEventWithTheTerminatorBufferedIsReused() throws Exception {
        try (RawServer server = new RawServer(peer -> {
            while (peer.readRequest() != null) {
                // The last event and the chunked terminator in one write, as providers send them.
                peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nevent1\r\n"
                        + "4\r\nDONE\r\n0\r\n\r\n");
            }
        })) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<InputStream> r = client.send(post(server, "{}"), HttpResponse.BodyHandlers.ofInputStream());
                InputStream in = r.body();
                byte[] upToDone = in.readNBytes(10);
                assertEquals("event1DONE", new String(upToDone, StandardCharsets.US_ASCII));
                in.close(); // the reader stops at its last event, before reading the end of the body
                assertEquals(1, client.idleConnections(r.uri()), "the connection went back to the pool");
            }
            assertEquals(1, server.connections());
        }
    }

    @Test
    void staleKeptConnectionIsRetriedOnceOnANewOne() throws Exception {
        CountDownLatch closedAfterFirst = new CountDownLatch(1);
        try (RawServer server = new RawServer(peer -> {
            String request = peer.readRequest();
            peer.write(OK_HELLO);
            if (request.contains("first")) {
                // Like a server's keep-alive timeout: close an idle connection without a word.
                peer.close();
                closedAfterFirst.countDown();
                return;
            }
            while (peer.readRequest() != null) {
                peer.write(OK_HELLO);
            }
        })) {
            assertEquals("hello", client.send(post(server, "first"), HttpResponse.BodyHandlers.ofString()).body());
            assertTrue(closedAfterFirst.await(10, TimeUnit.SECONDS));
            assertEquals("hello", client.send(post(server, "second"), HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(2, server.connections());
            // The closed connection never read "second": it reached the server once, on the new connection.
            assertEquals(1, server.requests.stream().filter(r -> r.endsWith("second")).count());
        }
    }

    @Test
    void newConnectionClosedBeforeAnsweringIsNotRetried() throws Exception {
        try (RawServer server = new RawServer(peer -> {
            peer.readRequest();
            peer.close();
        })) {
            assertThrows(IOException.class, () -> client.send(post(server, "{}"), HttpResponse.BodyHandlers.ofString()));
            assertEquals(1, server.connections());
            assertEquals(1, server.requests.size());
        }
    }

    @Test
    void connectionCloseFromTheServerIsNotReused() throws Exception {
        try (RawServer server = new RawServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello");
        })) {
            assertEquals("hello", client.send(post(server, "{}"), HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("hello", client.send(post(server, "{}"), HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(2, server.connections());
        }
    }

    @Test
    void bodyUntilCloseIsReadWhole() throws Exception {
        try (RawServer server = new RawServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.0 500 Internal Server Error\r\n\r\n{\"error\":\"boom\"}");
        })) {
            HttpResponse<String> r = client.send(post(server, "{}"), HttpResponse.BodyHandlers.ofString());
            assertEquals(500, r.statusCode());
            assertEquals("{\"error\":\"boom\"}", r.body());
        }
    }

    @Test
    void silentUpstreamTimesOutAfterTheRequestTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (RawServer server = new RawServer(peer -> {
            peer.readRequest();
            release.await(10, TimeUnit.SECONDS);
        })) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                    .timeout(Duration.ofMillis(200)).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            assertThrows(HttpTimeoutException.class, () -> client.send(request, HttpResponse.BodyHandlers.ofString()));
            release.countDown();
        }
    }

    @Test
    void bodyStalledMidwayTimesOutAfterTheRequestTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (RawServer server = new RawServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
            release.await(10, TimeUnit.SECONDS);
        })) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                    .timeout(Duration.ofMillis(200)).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            long start = System.nanoTime();
            assertThrows(HttpTimeoutException.class, () -> client.send(request, HttpResponse.BodyHandlers.ofString()));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMs >= 200 && tookMs < 5_000, "timed out after " + tookMs + " ms");
            release.countDown();
        }
    }

    @Test
    void connectionAnsweredInTimeStaysPooledPastItsDeadline() throws Exception {
        try (RawServer server = new RawServer(peer -> {
            while (peer.readRequest() != null) {
                peer.write(OK_HELLO);
            }
        })) {
            HttpRequest quick = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                    .timeout(Duration.ofMillis(50)).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            assertEquals("hello", client.send(quick, HttpResponse.BodyHandlers.ofString()).body());
            long deadlinePassed = System.nanoTime() + Duration.ofMillis(50).plus(Deadlines.TICK.multipliedBy(3)).toNanos();
            // The next request goes out only after the first one's deadline and a few watcher ticks.
            while (System.nanoTime() - deadlinePassed < 0) {
                Thread.sleep(Deadlines.TICK);
            }
            assertEquals("hello", client.send(post(server, "{}"), HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(1, server.connections(), "the first connection was reused, not closed by its old deadline");
        }
    }

    @Test
    void interimContinueIsSkipped() throws Exception {
        try (RawServer server = new RawServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 100 Continue\r\n\r\n" + OK_HELLO);
        })) {
            assertEquals("hello", client.send(post(server, "{}"), HttpResponse.BodyHandlers.ofString()).body());
        }
    }
}
