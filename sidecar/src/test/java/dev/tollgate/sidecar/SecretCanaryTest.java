package dev.tollgate.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.proto.control.v1.UsageRecord;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recognisable provider and virtual keys go through a success and a provider rejection; neither
 * may surface in a log record, a response body or header, a usage record, the usage spool or
 * {@code /metrics}. Logs are captured as the sidecar runs them ({@code Logging.configure}: INFO
 * for every library) plus every level of Tollgate's own loggers, the request log included.
 * (Helidon itself dumps request headers, Authorization included, at FINE: a sidecar must never
 * run io.helidon below INFO.)
 */
class SecretCanaryTest {

    private static final String PROVIDER_KEY = "sk-proj-CANARY-provider-9f8e7d6c5b4a3210";
    private static final String REJECTED_PROVIDER_KEY = "sk-proj-CANARY-rejected-0f1e2d3c4b5a6978";
    private static final String VIRTUAL_KEY = "tg-CANARY-virtual-1a2b3c4d5e6f7081";
    private static final List<String> SECRETS = List.of(PROVIDER_KEY, REJECTED_PROVIDER_KEY, VIRTUAL_KEY);

    @TempDir
    Path dataDir;

    @Test
    void keysAppearInNoLogResponseOrSpool() throws Exception {
        List<String> seen = new ArrayList<>();
        List<String> logs;
        try (LogCapture capture = LogCapture.start(Level.INFO).everythingFrom("dev.tollgate", "tollgate");
             Stack stack = Stack.start(dataDir, PROVIDER_KEY, fake -> TestPolicy.snapshot(1, List.of(
                             TestPolicy.alias("canary-chat", TestPolicy.openAi("gpt-4o-mini", fake.apiBase(), PROVIDER_KEY)),
                             TestPolicy.alias("canary-rejected",
                                     TestPolicy.openAi("gpt-4o-mini", fake.apiBase(), REJECTED_PROVIDER_KEY))),
                     List.of(TestPolicy.key(VIRTUAL_KEY, "canary"))))) {
            List<HttpResponse<String>> responses = List.of(
                    stack.sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("canary-chat", "Hi")),
                    stack.sidecar.chat(VIRTUAL_KEY, Sidecar.streamBody("canary-chat", "Hi", true)),
                    stack.sidecar.chat(VIRTUAL_KEY, Sidecar.chatBody("canary-rejected", "Hi")),
                    stack.sidecar.chat(VIRTUAL_KEY, Sidecar.streamBody("canary-rejected", "Hi", false)));
            assertEquals(List.of(200, 200, 401, 401), responses.stream().map(HttpResponse::statusCode).toList());
            for (HttpResponse<String> response : responses) {
                seen.add(response.body());
                seen.add(response.headers().map().toString());
                UsageRecord record = stack.controlPlane.awaitUsage(
                        response.headers().firstValue("x-tollgate-request-id").orElseThrow(), Duration.ofSeconds(5));
                seen.add(record.toByteString().toString(StandardCharsets.ISO_8859_1));
            }
            seen.add(stack.sidecar.get("/metrics").body());
            seen.add(new String(Files.readAllBytes(dataDir.resolve("usage.spool")), StandardCharsets.ISO_8859_1));
            logs = capture.lines();
        }

        assertTrue(logs.stream().anyMatch(l -> l.contains("policy version 1 installed")),
                "the capture saw the sidecar's own log lines");
        assertTrue(logs.stream().anyMatch(l -> l.contains("alias=canary-rejected") && l.contains("status=401")),
                "the capture saw the request log lines");
        for (String secret : SECRETS) {
            for (String line : logs) {
                assertFalse(line.contains(secret), "a log line carries " + secret + ": " + line);
            }
            for (String text : seen) {
                assertFalse(text.contains(secret), "a response, usage record or the spool carries " + secret + ": " + text);
            }
        }
    }
}
