package dev.tollgate.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.proto.control.v1.PolicySnapshot;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Virtual keys and aliases: who may call which alias, and how fast a revocation takes effect. */
class KeyAndAliasTest {

    private static final String ALL_KEY = "tg-test-every-alias-0005";
    private static final String MOCK_ONLY_KEY = "tg-test-mock-only-0005";

    @TempDir
    Path dataDir;
    private Stack stack;

    @BeforeEach
    void start() throws Exception {
        stack = Stack.start(dataDir, "unused", fake -> policy(1, ALL_KEY, MOCK_ONLY_KEY));
    }

    @AfterEach
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    private static PolicySnapshot policy(long version, String... keys) {
        return TestPolicy.snapshot(version, List.of(
                        TestPolicy.alias("mock-chat", TestPolicy.mock("demo", Map.of())),
                        TestPolicy.alias("premium-chat", TestPolicy.mock("premium", Map.of())),
                        TestPolicy.alias("embed-small", TestPolicy.mock("embed", Map.of()))),
                java.util.Arrays.stream(keys)
                        .map(k -> k.equals(MOCK_ONLY_KEY) ? TestPolicy.key(k, "mock-only", "mock-chat", "embed-small")
                                : TestPolicy.key(k, "every-alias"))
                        .toList());
    }

    @Test
    void unknownAliasIsA404ListingTheAliasesTheKeyMayUse() {
        HttpResponse<String> response = stack.sidecar.chat(MOCK_ONLY_KEY, Sidecar.chatBody("gpt-5", "Hi"));

        String message = Envelope.assertError(response, 404, "invalid_request_error", "model_not_found", "model");
        assertTrue(message.contains("'gpt-5'"), message);
        assertTrue(message.endsWith("This key may use: mock-chat, embed-small."), message);
    }

    @Test
    void aliasNotAllowedForTheKeyIsA403() {
        HttpResponse<String> response = stack.sidecar.chat(MOCK_ONLY_KEY, Sidecar.chatBody("premium-chat", "Hi"));

        String message = Envelope.assertError(response, 403, "permission_error", "model_not_allowed", "model");
        assertTrue(message.contains("'mock-only'"), message);
        assertTrue(message.contains("'premium-chat'"), message);
        assertTrue(message.endsWith("It may use: mock-chat, embed-small."), message);
    }

    @Test
    void missingKeyIsA401() {
        HttpResponse<String> response = stack.sidecar.chat(null, Sidecar.chatBody("mock-chat", "Hi"));

        Envelope.assertError(response, 401, "authentication_error", "missing_api_key", null);
    }

    @Test
    void unknownKeyIsA401() {
        HttpResponse<String> response = stack.sidecar.chat("tg-never-issued", Sidecar.chatBody("mock-chat", "Hi"));

        Envelope.assertError(response, 401, "authentication_error", "invalid_api_key", null);
    }

    @Test
    void keyRemovedInANewerSnapshotIsRefusedWithin1Second() {
        assertEquals(200, stack.sidecar.chat(ALL_KEY, Sidecar.chatBody("mock-chat", "Hi")).statusCode());

        stack.controlPlane.push(policy(2, MOCK_ONLY_KEY));

        Await.until("the removed key to be refused", Duration.ofSeconds(1),
                () -> stack.sidecar.chat(ALL_KEY, Sidecar.chatBody("mock-chat", "Hi")).statusCode() == 401);
        Envelope.assertError(stack.sidecar.chat(ALL_KEY, Sidecar.chatBody("mock-chat", "Hi")),
                401, "authentication_error", "invalid_api_key", null);
        assertEquals(200, stack.sidecar.chat(MOCK_ONLY_KEY, Sidecar.chatBody("mock-chat", "Hi")).statusCode(),
                "the key kept in the snapshot still works");
    }
}
