package dev.tollgate.sidecar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.sidecar.provider.UpstreamDebug;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * --detailed-debug and x-tollgate-debug: the translated upstream request (credentials redacted) and
 * the upstream's status and error body are logged, for the requests that asked and may.
 */
class UpstreamDebugTest {

    private static final String DEBUGGER = "sk-tollgate-debugger-00000000000000000";

    private FaultyOpenAi upstream;
    private final Logger logger = Logger.getLogger("tollgate.upstream");
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            lines.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws Exception {
        upstream = new FaultyOpenAi();
        logger.setLevel(Level.ALL);
        logger.addHandler(capture);
    }

    @AfterEach
    void stop() {
        logger.removeHandler(capture);
        upstream.close();
    }

    private String log() {
        return String.join("\n", lines);
    }

    @Test
    void aKeyAllowedToDebugGetsItsUpstreamCallsLoggedWithSecretsRedacted() throws Exception {
        upstream.script("solo", FaultyOpenAi.OK, FaultyOpenAi.status(500));
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo")
                .key(DEBUGGER, k -> k.setAllowDebug(true)).start()) {
            assertEquals(200, sidecar.chatAs(DEBUGGER, "chat", "x-tollgate-debug", "true").statusCode());
            assertEquals(502, sidecar.chatAs(DEBUGGER, "chat", "x-tollgate-debug", "true").statusCode());
            RoutedSidecar.await(() -> log().contains("with HTTP 500"), "the error answer in the log");
            String log = log();
            assertTrue(log.contains("upstream request POST " + upstream.base("solo") + "/chat/completions"), log);
            assertTrue(log.contains("\"model\":\"solo\""), "the translated model name: " + log);
            assertTrue(log.contains("Authorization: [redacted]") || log.contains("authorization: [redacted]"), log);
            assertTrue(log.contains("with HTTP 200"), log);
            assertTrue(log.contains("upstream says 500"), "the raw error body: " + log);
            assertFalse(log.contains(FaultyOpenAi.KEY), "never the provider key");
            assertFalse(log.contains(DEBUGGER), "never the virtual key");
        }
    }

    @Test
    void withoutDebugOrWithAKeyThatMayNotNothingIsLogged() throws Exception {
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo")
                .key(DEBUGGER, k -> k.setAllowDebug(true)).start()) {
            assertEquals(200, sidecar.chatAs(DEBUGGER, "chat").statusCode());
            assertEquals(200, sidecar.chat("chat", "x-tollgate-debug", "true").statusCode(),
                    "the test's default key has no allow_debug");
            sidecar.usage(1);
            assertEquals(List.of(), lines);
        }
    }

    @Test
    void detailedDebugLogsEveryRequestsCalls() throws Exception {
        try (RoutedSidecar sidecar = RoutedSidecar.on(upstream).deployment("chat", "solo")
                .debug(UpstreamDebug.Mode.ALWAYS).start()) {
            assertEquals(200, sidecar.stream("chat").statusCode());
            String log = log();
            assertTrue(log.contains("upstream request POST " + upstream.base("solo") + "/chat/completions"), log);
            assertTrue(log.contains("\"stream\":true"), log);
            assertFalse(log.contains(FaultyOpenAi.KEY), "never the provider key");
        }
    }
}
