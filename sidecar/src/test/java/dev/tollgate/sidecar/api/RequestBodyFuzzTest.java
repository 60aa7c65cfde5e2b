package dev.tollgate.sidecar.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.failure.GatewayException;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.ProviderCatalog;
import dev.tollgate.sidecar.provider.Providers;
import dev.tollgate.sidecar.provider.anthropic.MessagesSurface;
import dev.tollgate.sidecar.routing.RequestOverrides;
import dev.tollgate.sidecar.testing.CannedHttpClient;
import dev.tollgate.sidecar.testing.FuzzInput;
import dev.tollgate.sidecar.testing.ProviderFuzz;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Any request body on {@code /v1/chat/completions}, {@code /v1/embeddings} or {@code /v1/messages}, taken
 * through the steps each handler runs before the router (parse, {@code model}, field checks or the Anthropic
 * translation, the router's overrides from body and headers) and then through one deployment's adapter, whose
 * request translation runs against a valid canned answer. The property: a request, or a 4xx in the OpenAI
 * envelope — never an unexpected exception, never a 5xx for what the client sent. Input: a control byte
 * (endpoint: value % 3; provider: value / 3 % 5; bit 7: two header lines follow, {@code x-tollgate-num-retries}
 * and {@code x-tollgate-timeout}), then the body.
 */
class RequestBodyFuzzTest {

    private static final String[] PROVIDERS = {"openai", "anthropic", "gemini", "bedrock", "ollama"};
    private static final Map<String, String> CHAT_ANSWERS = Map.of(
            "openai", "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":"
                    + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}",
            "anthropic", "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"c\",\"content\":"
                    + "[{\"type\":\"text\",\"text\":\"hi\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":1,"
                    + "\"output_tokens\":1}}",
            "gemini", "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"}]},\"finishReason\":\"STOP\"}],"
                    + "\"usageMetadata\":{\"promptTokenCount\":1,\"candidatesTokenCount\":1}}",
            "bedrock", "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"hi\"}]}},"
                    + "\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":1,\"outputTokens\":1}}",
            "ollama", "{\"model\":\"l\",\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"done\":true,"
                    + "\"prompt_eval_count\":1,\"eval_count\":1}");
    /** One body per provider that answers every embeddings shape it is asked for (single and batch). */
    private static final Map<String, String> EMBEDDING_ANSWERS = Map.of(
            "openai", "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1]}],"
                    + "\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}",
            "anthropic", "{}",
            "gemini", "{\"embedding\":{\"values\":[0.1]},\"embeddings\":[{\"values\":[0.1]}]}",
            "bedrock", "{\"embedding\":[0.1],\"inputTextTokenCount\":1,\"embeddings\":[[0.1]]}",
            "ollama", "{\"embeddings\":[[0.1]],\"prompt_eval_count\":1}");
    private static final Map<String, String> AWS = Map.of("aws_region_name", "us-east-1",
            "aws_access_key_id", "AKIAFUZZFUZZFUZZFUZZ", "aws_secret_access_key", ProviderFuzz.KEY);

    private static final CannedHttpClient HTTP = new CannedHttpClient();
    private static final Providers ADAPTERS = ProviderCatalog.standard(HTTP);

    @DictionaryFile(resourcePath = "/dev/tollgate/sidecar/fuzz-json.dict")
    @FuzzTest(maxDuration = "8s")
    void anyBodyBecomesARequestOrAClear4xx(byte[] input) {
        FuzzInput in = new FuzzInput(input);
        int control = in.u8();
        int endpoint = control % 3;
        String provider = PROVIDERS[control / 3 % PROVIDERS.length];
        Map<String, String> headers = (control & 0x80) == 0 ? Map.of()
                : Map.of("x-tollgate-num-retries", in.line(40), "x-tollgate-timeout", in.line(40));
        byte[] body = in.rest();
        try {
            ObjectNode request = RequestBodies.parse(body);
            Gate.requireModel(request);
            switch (endpoint) {
                case 0 -> RequestChecks.chat(request);
                case 1 -> Embeddings.requireInput(request);
                default -> request = MessagesSurface.toOpenAiRequest(request);
            }
            RequestOverrides.from(name -> Optional.ofNullable(headers.get(name)), request);
            callProvider(provider, endpoint == 1, request);
        } catch (GatewayException e) {
            GatewayError error = e.error();
            ProviderFuzz.clear(error, utf8(body).contains(ProviderFuzz.KEY));
            assertTrue(error.status() >= 400 && error.status() < 500,
                    "a request the client got wrong must be a 4xx: " + error + " for " + shortened(body));
        }
    }

    /** What the router does next: the adapter translates the request (model rewritten) and parses a valid answer. */
    private static void callProvider(String provider, boolean embeddings, ObjectNode request) {
        String model = provider.equals("bedrock")
                ? embeddings ? "amazon.titan-embed-text-v2:0" : "anthropic.claude-3-haiku-20240307-v1:0" : "m";
        Deployment d = ProviderFuzz.deployment(provider, model, provider.equals("bedrock") ? AWS : Map.of());
        String answer = (embeddings ? EMBEDDING_ANSWERS : CHAT_ANSWERS).get(provider);
        HTTP.answer(200, Map.of(), List.of(answer.getBytes(StandardCharsets.UTF_8)));
        ObjectNode body = request.deepCopy();
        body.put("model", model);
        ProviderCall call = new ProviderCall(new Failures.Target("fuzz", d.getId(), provider), d, body, "req-fuzz-1",
                false);
        ProviderAdapter adapter = ADAPTERS.forPrefix(provider).orElseThrow();
        if (embeddings) {
            adapter.embed(call);
        } else {
            adapter.chat(call);
        }
    }

    private static String utf8(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    private static String shortened(byte[] body) {
        String text = utf8(body);
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
