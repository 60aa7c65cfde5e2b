package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A provider credential created through {@code /credentials}, used by a deployment added with
 * {@code /model/new}, then rotated with {@code PATCH}: through a real control plane and a real
 * sidecar (separate processes). A stream that started on the old key finishes on it while new
 * requests present the new key; neither key nor the KEK appears in any log or admin response.
 */
class CredentialRotationEndToEndTest {

    private static final String OLD_KEY = "sk-proj-CANARY-old-rotation-1111";
    private static final String NEW_KEY = "sk-proj-CANARY-new-rotation-2222";
    private static final String KEK = Base64.getEncoder().encodeToString(
            "tollgate-e2e-kek-CANARY-32-bytes".getBytes(StandardCharsets.US_ASCII));
    private static final String CONFIG = """
            model_list:
              - model_name: mocked
                litellm_params:
                  model: mock/demo
                  mock_response: hello
            """;

    @Test
    void aRotatedCredentialReachesNewRequestsWhileAStreamInFlightFinishesOnTheOldKey() throws Exception {
        try (HeldStreamUpstream upstream = new HeldStreamUpstream();
             Stack stack = new Stack("credentials", Files.createTempDirectory("tollgate-credentials"), CONFIG,
                     Map.of("TOLLGATE_ENCRYPTION_KEY", KEK))) {
            stack.startControlPlane();
            stack.startSidecar();
            stack.awaitSidecarReady();
            List<String> adminBodies = new ArrayList<>();

            adminBodies.add(admin(stack, "POST", "/credentials", "{\"credential_name\":\"openai-prod\","
                    + "\"credential_values\":{\"api_key\":\"" + OLD_KEY + "\",\"api_base\":\"" + upstream.baseUrl()
                    + "\"},\"credential_info\":{\"owner\":\"platform\"}}"));
            adminBodies.add(admin(stack, "POST", "/model/new", "{\"model_name\":\"gpt\",\"litellm_params\":"
                    + "{\"model\":\"openai/gpt-4o-mini\",\"litellm_credential_name\":\"openai-prod\"}}"));
            String key = stack.newKey("{\"key_alias\":\"rotation-app\"}");
            assertTrue(Http.await(Duration.ofSeconds(10), () -> Stack.status(() -> Http.post(
                    stack.sidecarUrl() + "/v1/chat/completions", key, stack.chat("gpt", "hi"))) == 200),
                    "the alias added at runtime answers; upstream saw " + upstream.seen());
            assertEquals(OLD_KEY, upstream.seen().get(upstream.seen().size() - 1).key());

            // A stream starts on the old key and is held open by the upstream after its first chunk.
            HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(stack.sidecarUrl() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt\",\"stream\":true,\"messages\":"
                            + "[{\"role\":\"user\",\"content\":\"long\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, stream.statusCode());
            BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
            StringBuilder streamed = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null && !line.contains("held")) {
                streamed.append(line).append('\n');
            }
            streamed.append(line).append('\n');
            int streamIndex = upstream.seen().size() - 1;
            assertEquals(new HeldStreamUpstream.Seen(OLD_KEY, true), upstream.seen().get(streamIndex));

            adminBodies.add(admin(stack, "PATCH", "/credentials/openai-prod",
                    "{\"credential_values\":{\"api_key\":\"" + NEW_KEY + "\"}}"));
            assertTrue(Http.await(Duration.ofSeconds(10), () -> {
                Stack.status(() -> Http.post(stack.sidecarUrl() + "/v1/chat/completions", key, stack.chat("gpt", "hi")));
                List<HeldStreamUpstream.Seen> seen = upstream.seen();
                return seen.get(seen.size() - 1).equals(new HeldStreamUpstream.Seen(NEW_KEY, false));
            }), "new requests present the new key; upstream saw " + upstream.seen());

            upstream.release();
            while ((line = lines.readLine()) != null) {
                streamed.append(line).append('\n');
            }
            String all = streamed.toString();
            assertTrue(all.contains("then finished") && all.contains("[DONE]"), all);
            assertFalse(all.contains("\"error\""), all);
            List<HeldStreamUpstream.Seen> seen = upstream.seen();
            assertEquals(1, seen.stream().filter(HeldStreamUpstream.Seen::stream).count(), "the stream was not retried");

            adminBodies.add(admin(stack, "GET", "/credentials", null));
            adminBodies.add(admin(stack, "GET", "/audit/log", null));
            adminBodies.add(admin(stack, "GET", "/model/info", null));
            stack.close();
            String logs = Files.readString(stack.controlPlane.log()) + Files.readString(stack.sidecar.log());
            for (String secret : List.of(OLD_KEY, NEW_KEY, KEK, "CANARY")) {
                assertFalse(logs.contains(secret), "a log holds " + secret);
                assertFalse(String.join("\n", adminBodies).contains(secret), "an admin response holds " + secret);
            }
        }
    }

    private static String admin(Stack stack, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.admin() + path))
                .header("Authorization", "Bearer " + Stack.MASTER_KEY).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), method + " " + path + ": " + r.body());
        return r.body();
    }
}
