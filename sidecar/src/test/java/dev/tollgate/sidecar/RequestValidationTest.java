package dev.tollgate.sidecar;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed chat requests are 400s in the OpenAI envelope that name the problem. */
class RequestValidationTest {

    private static final String VIRTUAL_KEY = "tg-test-virtual-key-0004";

    @TempDir
    static Path dataDir;
    private static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start(dataDir, "unused", fake -> TestPolicy.snapshot(1,
                List.of(TestPolicy.alias("mock-chat", TestPolicy.mock("demo", Map.of()))),
                List.of(TestPolicy.key(VIRTUAL_KEY, "ci"))));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void malformedJsonIsA400SayingWhereItBroke() {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY, "{\"model\": \"mock-chat\", \"messages\": [");

        String message = Envelope.assertError(response, 400, "invalid_request_error", "invalid_json", null);
        assertTrue(message.startsWith("Request body is not valid JSON"), message);
        assertTrue(message.contains("line 1"), message);
    }

    @Test
    void missingModelIsA400NamingModel() {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");

        String message = Envelope.assertError(response, 400, "invalid_request_error", "invalid_request", "model");
        assertTrue(message.contains("'model'"), message);
    }

    @Test
    void missingMessagesIsA400NamingMessages() {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY, "{\"model\":\"mock-chat\"}");

        String message = Envelope.assertError(response, 400, "invalid_request_error", "invalid_request", "messages");
        assertTrue(message.contains("Missing required field 'messages'"), message);
    }

    @Test
    void emptyMessagesIsA400SayingItMustNotBeEmpty() {
        HttpResponse<String> response = stack.sidecar.chat(VIRTUAL_KEY, "{\"model\":\"mock-chat\",\"messages\":[]}");

        String message = Envelope.assertError(response, 400, "invalid_request_error", "invalid_request", "messages");
        assertTrue(message.contains("non-empty list"), message);
    }
}
