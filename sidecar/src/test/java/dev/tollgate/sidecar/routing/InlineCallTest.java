package dev.tollgate.sidecar.routing;

import static dev.tollgate.sidecar.routing.RoutedSidecar.deployment;
import static dev.tollgate.sidecar.routing.RoutedSidecar.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.sidecar.testing.TestSidecar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Non-streaming calls run on the request's own thread, cut by the watchdog: a call blocked in a
 * socket read ends at its limit with the usual 504, and the thread that served it carries no
 * interrupt into the next attempt or the next request on the same connection.
 */
class InlineCallTest {

    /** Scheduling slack on a loaded 2-core machine. */
    private static final long MARGIN_MS = 700;

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
    void aCallBlockedOnASilentSocketIsCutAtItsLimitWithTheSame504() throws Exception {
        upstream.always("silent", FaultyOpenAi.HANG);
        // The deployment's own timeout (which the HTTP client enforces too) is far away: only the watchdog can cut.
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "silent", "timeout", "30").start()) {
            long start = System.nanoTime();
            HttpResponse<String> r = sidecar.chat("chat", "x-tollgate-timeout", "0.4");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(504, r.statusCode(), r.body());
            assertEquals("provider_timeout", error(r).path("code").asText());
            assertEquals("timeout_error", error(r).path("type").asText());
            assertEquals("Deployment 'chat#silent' (provider openai) behind alias 'chat': no answer within the "
                    + "request's total timeout of 0.4 s (x-tollgate-timeout). Check the provider's health, or raise the "
                    + "timeout if its answers are simply long.", error(r).path("message").asText());
            assertTrue(elapsedMs >= 350 && elapsedMs <= 400 + MARGIN_MS, elapsedMs + " ms");
        }
    }

    @Test
    void theRetryAfterATimedOutAttemptRunsOnTheSameThreadAndIsAnswered() throws Exception {
        upstream.script("solo", FaultyOpenAi.HANG, FaultyOpenAi.OK);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo", "timeout", "0.3")
                .settings(s -> s.setNumRetries(1)).start()) {
            HttpResponse<String> r = sidecar.chat("chat");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("chat#solo", deployment(r));
            assertEquals("2", RoutedSidecar.header(r, "x-tollgate-attempts"));
            assertEquals("provider_timeout", sidecar.usage(0).getRouterAttempts(0).getErrorCode());
            assertEquals(2, upstream.calls.size());
        }
    }

    @Test
    void aKeepAliveConnectionServesItsNextRequestNormallyAfterATimedOutOne() throws Exception {
        upstream.always("silent", FaultyOpenAi.HANG).always("fine", FaultyOpenAi.OK);
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("slow", "silent", "timeout", "0.3")
                .deployment("quick", "fine").start();
             Socket socket = new Socket("127.0.0.1", sidecar.port())) {
            socket.setSoTimeout(10_000);
            String timedOut = exchange(socket, "slow");
            assertTrue(timedOut.startsWith("HTTP/1.1 504"), timedOut);
            assertTrue(timedOut.contains("provider_timeout"), timedOut);
            for (int i = 0; i < 3; i++) {
                String next = exchange(socket, "quick");
                assertTrue(next.startsWith("HTTP/1.1 200"), "request " + (i + 2) + " on the same connection: " + next);
                assertTrue(next.contains("from fine"), next);
            }
        }
    }

    /** One request on {@code socket} and its response (head and Content-Length body). */
    private static String exchange(Socket socket, String alias) throws IOException {
        byte[] body = RoutedSidecar.CHAT.formatted(alias).getBytes(StandardCharsets.UTF_8);
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TestSidecar.KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(body);
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the sidecar closed the connection before a full response; got: " + received);
            }
            received.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String headers = received.toString(StandardCharsets.UTF_8);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
