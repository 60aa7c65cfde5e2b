package dev.tollgate.sidecar.provider.gemini;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.vertex.VertexEndpoint;
import dev.tollgate.sidecar.testing.CannedHttpClient;
import dev.tollgate.sidecar.testing.FuzzInput;
import dev.tollgate.sidecar.testing.ProviderFuzz;
import dev.tollgate.sidecar.testing.ProviderFuzz.Operation;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Any answer from Gemini through AI Studio or Vertex AI: generateContent JSON, SSE streams cut anywhere,
 * embeddings (embedContent, batchEmbedContents, Vertex predict), Google error bodies. Input: a control byte
 * (bits 0-1: operation, bit 2: include_usage, bit 3: Vertex, bit 4: one embeddings input), then {@link ProviderFuzz#answer}'s layout.
 */
class GeminiResponseFuzzTest {

    private static final CannedHttpClient HTTP = new CannedHttpClient();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final ProviderAdapter AI_STUDIO = new GeminiAdapter(HTTP, new AiStudioEndpoint(), CLOCK);
    private static final ProviderAdapter VERTEX = new GeminiAdapter(HTTP, new VertexEndpoint(), CLOCK);
    private static final Deployment GEMINI = ProviderFuzz.deployment("gemini", "gemini-2.5-flash", Map.of());
    private static final Deployment VERTEX_DEPLOYMENT = ProviderFuzz.deployment("vertex_ai", "gemini-2.5-flash",
            Map.of("vertex_project", "fuzz-project"));

    @DictionaryFile(resourcePath = "/dev/tollgate/sidecar/fuzz-json.dict")
    @FuzzTest(maxDuration = "8s")
    void anyAnswerIsTranslatedOrAClearError(byte[] input) {
        FuzzInput in = new FuzzInput(input);
        int control = in.u8();
        Operation op = Operation.values()[(control & 3) % 3];
        boolean vertex = (control & 8) != 0;
        ProviderFuzz.answer(HTTP, in, "retry-after");
        // One string or a list: AI Studio calls embedContent or batchEmbedContents.
        String request = op == Operation.EMBED && (control & 16) != 0 ? "{\"input\":\"a\"}" : ProviderFuzz.request(op);
        ProviderFuzz.assertRelayedOrClearError(vertex ? VERTEX : AI_STUDIO, op,
                ProviderFuzz.call(vertex ? VERTEX_DEPLOYMENT : GEMINI, request, (control & 4) != 0), true);
    }
}
