package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.proto.control.v1.ProviderRelayGrpc;
import dev.tollgate.proto.control.v1.RelayFrame;
import dev.tollgate.proto.control.v1.RelayHeader;
import dev.tollgate.proto.control.v1.RelayRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Strict mode through real processes: an {@code exposure: control-plane} alias answers (plain and
 * streamed, chunk by chunk) while its key stays in the control plane: the upstream sees it, the
 * sidecar's heap, log and spool never hold it, a sidecar cannot point the relay at another host, and
 * without the control plane the alias fails with 503 {@code control_plane_unavailable}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StrictModeEndToEndTest {

    private static final String STRICT_KEY = "sk-strict-CANARY-5e81b07d";
    /** A strict deployment's key the upstream refuses (and quotes in its 401 body, as OpenAI does). */
    private static final String REFUSED_KEY = "sk-refused-CANARY-c3a94e12";
    /** A sidecar-exposed key: the heap dump must show it, or the search would prove nothing. */
    private static final String OPEN_KEY = "sk-open-CANARY-0d7f2a66";

    private static GatedUpstream upstream;
    private static GatedUpstream elsewhere;
    private static Stack stack;
    private static String key;

    @BeforeAll
    static void start() throws Exception {
        upstream = new GatedUpstream(Set.of(STRICT_KEY, OPEN_KEY), Duration.ofSeconds(10));
        elsewhere = new GatedUpstream(Set.of(), Duration.ofSeconds(1));
        String config = """
                model_list:
                  - model_name: strict-chat
                    litellm_params:
                      model: openai/gpt-strict
                      api_base: %1$s
                      api_key: os.environ/STRICT_PROVIDER_KEY
                      exposure: control-plane
                  - model_name: strict-refused
                    litellm_params:
                      model: openai/gpt-strict
                      api_base: %1$s
                      api_key: os.environ/REFUSED_PROVIDER_KEY
                      exposure: control-plane
                  - model_name: open-chat
                    litellm_params:
                      model: openai/gpt-open
                      api_base: %1$s
                      api_key: os.environ/OPEN_PROVIDER_KEY
                router_settings:
                  num_retries: 0
                general_settings:
                  master_key: os.environ/TOLLGATE_MASTER_KEY
                """.formatted(upstream.baseUrl());
        stack = new Stack("strict", Files.createTempDirectory("tollgate-e2e-strict"), config,
                Map.of("STRICT_PROVIDER_KEY", STRICT_KEY, "REFUSED_PROVIDER_KEY", REFUSED_KEY,
                        "OPEN_PROVIDER_KEY", OPEN_KEY));
        stack.startControlPlane();
        stack.startSidecar();
        stack.awaitSidecarReady();
        key = stack.newKey("{\"key_alias\":\"strict-app\"}");
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        upstream.close();
        elsewhere.close();
    }

    @Test
    @Order(1)
    void strictAliasAnswersThroughTheControlPlaneAndTheUpstreamSeesTheRealKey() throws Exception {
        HttpResponse<String> r = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("strict-chat", "hello"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("gated answer", Http.json(r).path("choices").path(0).path("message").path("content").asText());
        assertEquals("strict-chat#0", r.headers().firstValue("x-tollgate-deployment").orElse(""));
        assertTrue(upstream.authorizations().contains("Bearer " + STRICT_KEY), upstream.authorizations().toString());
        assertFalse(Files.readString(stack.controlPlane.log()).contains("litellm_params.exposure"),
                "exposure must not be reported as an ignored field");
    }

    @Test
    @Order(2)
    void strictStreamChunksReachTheClientAsTheUpstreamSendsThem() throws Exception {
        upstream.arm();
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.sidecarUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"strict-chat\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null && !line.contains("first")) {
                    // skip to the first content chunk
                }
                assertTrue(line != null && line.contains("first"), "first chunk never arrived");
                // The upstream holds the rest until released (10 s at most): a buffering relay would
                // only pass "first" on after the last chunk was sent.
                assertFalse(upstream.lastSent(), "the first chunk arrived only after the upstream sent the last one");
                upstream.release();
                StringBuilder rest = new StringBuilder();
                while ((line = lines.readLine()) != null) {
                    rest.append(line).append('\n');
                }
                assertTrue(rest.toString().contains(" last"), rest.toString());
                assertTrue(rest.toString().contains("data: [DONE]"), rest.toString());
            }
        }
    }

    @Test
    @Order(3)
    void providerErrorQuotingTheKeyReachesTheAppScrubbed() throws Exception {
        HttpResponse<String> r = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("strict-refused", "hello"));
        assertEquals(401, r.statusCode(), r.body());
        JsonNode error = Http.json(r).path("error");
        assertEquals("provider_auth_error", error.path("code").asText());
        assertFalse(r.body().contains(REFUSED_KEY), r.body());
        assertTrue(upstream.authorizations().contains("Bearer " + REFUSED_KEY));
    }

    @Test
    @Order(4)
    void theSidecarsHeapLogAndSpoolNeverHoldAStrictKey() throws Exception {
        assertEquals(200, Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("open-chat", "hello")).statusCode());
        Path dump = stack.dataDir.resolve("sidecar.hprof");
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(stack.sidecar.pid()), "GC.heap_dump", "-all",
                dump.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isRegularFile(dump), out);
        byte[] heap = Files.readAllBytes(dump);
        Files.delete(dump);
        assertTrue(contains(heap, OPEN_KEY), "the heap search must find the sidecar-exposed key");
        for (String secret : List.of(STRICT_KEY, REFUSED_KEY)) {
            assertFalse(contains(heap, secret), "sidecar heap holds a strict key");
            assertFalse(Files.readString(stack.sidecar.log()).contains(secret), "sidecar log holds a strict key");
            try (Stream<Path> files = Files.walk(stack.dataDir.resolve("sidecar"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertFalse(contains(Files.readAllBytes(f), secret), f + " holds a strict key");
                }
            }
        }
    }

    @Test
    @Order(5)
    void aSidecarCannotPointTheRelayAtAnotherHost() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", stack.grpcPort).usePlaintext().build();
        try {
            ProviderRelayGrpc.ProviderRelayBlockingStub relay = ProviderRelayGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(20, TimeUnit.SECONDS);
            String placeholder = "tgcp." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("strict-chat#0".getBytes(StandardCharsets.UTF_8)) + ".api_key";
            // The same request to the deployment's own host is relayed: the refusal below is about the host.
            Iterator<RelayFrame> allowed = relay.relay(relayTo(upstream.baseUrl(), placeholder));
            assertEquals(200, allowed.next().getHead().getStatus());
            allowed.forEachRemaining(f -> { });

            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> relay.relay(relayTo(elsewhere.baseUrl(), placeholder)).forEachRemaining(f -> { }));
            assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription().contains("strict-chat#0"), refused.getMessage());
            assertEquals(List.of(), elsewhere.authorizations());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(6)
    void extraHopLatencyIsPrintedForTheReadme() throws Exception {
        // Indicative only (printed, never asserted): sequential non-stream calls, strict vs sidecar-held key.
        String chat = stack.sidecarUrl() + "/v1/chat/completions";
        Map<String, Long> medians = new java.util.LinkedHashMap<>();
        for (String alias : List.of("open-chat", "strict-chat", "open-chat", "strict-chat")) {
            List<Long> micros = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                long t0 = System.nanoTime();
                assertEquals(200, Http.post(chat, key, stack.chat(alias, "x")).statusCode());
                micros.add((System.nanoTime() - t0) / 1_000);
            }
            micros.sort(null);
            medians.put(alias, micros.get(micros.size() / 2)); // the second round (warm) wins
        }
        System.out.println("strict-mode latency, median of 150 sequential calls on loopback: " + medians + " us");
    }

    @Test
    @Order(7)
    void withoutTheControlPlaneAStrictAliasFailsWith503AndOthersKeepServing() throws Exception {
        stack.controlPlane.stop();
        HttpResponse<String> r = Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("strict-chat", "hello"));
        assertEquals(503, r.statusCode(), r.body());
        JsonNode error = Http.json(r).path("error");
        assertEquals("control_plane_unavailable", error.path("code").asText(), r.body());
        assertTrue(error.path("message").asText().contains("'strict-chat#0'"), r.body());
        assertTrue(error.path("message").asText().contains("held by the control plane"), r.body());
        assertEquals(200, Http.post(stack.sidecarUrl() + "/v1/chat/completions", key,
                stack.chat("open-chat", "hello")).statusCode());
    }

    private static RelayRequest relayTo(String base, String placeholder) {
        return RelayRequest.newBuilder().setSidecarName("rogue").setSidecarToken(Stack.SIDECAR_TOKEN)
                .setDeploymentId("strict-chat#0").setMethod("POST").setUrl(base + "/chat/completions")
                .addHeaders(RelayHeader.newBuilder().setName("Authorization").setValue("Bearer " + placeholder))
                .addHeaders(RelayHeader.newBuilder().setName("Content-Type").setValue("application/json"))
                .setBody(com.google.protobuf.ByteString.copyFromUtf8("{\"model\":\"gpt-strict\",\"messages\":[]}"))
                .build();
    }

    private static boolean contains(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return containsUtf16(haystack, needle);
    }

    /** Strings that are not Latin-1-compact sit in the heap as UTF-16. */
    private static boolean containsUtf16(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_16LE);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
