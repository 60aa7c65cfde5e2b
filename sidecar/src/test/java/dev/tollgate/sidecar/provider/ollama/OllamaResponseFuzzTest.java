package dev.tollgate.sidecar.provider.ollama;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.testing.CannedHttpClient;
import dev.tollgate.sidecar.testing.FuzzInput;
import dev.tollgate.sidecar.testing.ProviderFuzz;
import dev.tollgate.sidecar.testing.ProviderFuzz.Operation;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Any answer from Ollama: /api/chat JSON, NDJSON streams cut anywhere, /api/embed, error bodies. Input: a
 * control byte (bits 0-1: operation, bit 2: include_usage), then {@link ProviderFuzz#answer}'s layout.
 */
class OllamaResponseFuzzTest {

    private static final CannedHttpClient HTTP = new CannedHttpClient();
    private static final OllamaAdapter ADAPTER = new OllamaAdapter(HTTP,
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    private static final Deployment DEPLOYMENT = ProviderFuzz.deployment("ollama", "llama3.2", Map.of());

    @DictionaryFile(resourcePath = "/dev/tollgate/sidecar/fuzz-json.dict")
    @FuzzTest(maxDuration = "8s")
    void anyAnswerIsTranslatedOrAClearError(byte[] input) {
        FuzzInput in = new FuzzInput(input);
        int control = in.u8();
        Operation op = Operation.values()[(control & 3) % 3];
        ProviderFuzz.answer(HTTP, in, "retry-after");
        ProviderFuzz.assertRelayedOrClearError(ADAPTER, op, ProviderFuzz.call(DEPLOYMENT, ProviderFuzz.request(op), (control & 4) != 0),
                true);
    }
}
