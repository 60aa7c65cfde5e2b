package dev.tollgate.sidecar.provider.openai;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.provider.ProviderCatalog;
import dev.tollgate.sidecar.provider.Providers;
import dev.tollgate.sidecar.testing.CannedHttpClient;
import dev.tollgate.sidecar.testing.FuzzInput;
import dev.tollgate.sidecar.testing.ProviderFuzz;
import dev.tollgate.sidecar.testing.ProviderFuzz.Operation;
import java.util.Map;

/**
 * Any answer from an OpenAI-shaped provider (OpenAI, Azure, Mistral's always-usage stream): chat bodies,
 * SSE streams cut anywhere, embeddings, error bodies. Input: a control byte (bits 0-1: operation, bit 2:
 * include_usage, value / 8 % 3: provider), then {@link ProviderFuzz#answer}'s layout.
 */
class OpenAiResponseFuzzTest {

    private static final String[] PREFIXES = {"openai", "azure", "mistral"};
    private static final CannedHttpClient HTTP = new CannedHttpClient();
    private static final Providers PROVIDERS = ProviderCatalog.standard(HTTP);

    @DictionaryFile(resourcePath = "/dev/tollgate/sidecar/fuzz-json.dict")
    @FuzzTest(maxDuration = "8s")
    void anyAnswerIsRelayedOrAClearError(byte[] input) {
        FuzzInput in = new FuzzInput(input);
        int control = in.u8();
        Operation op = Operation.values()[(control & 3) % 3];
        String prefix = PREFIXES[(control >> 3) % PREFIXES.length];
        ProviderFuzz.answer(HTTP, in, "retry-after");
        Deployment d = ProviderFuzz.deployment(prefix, "gpt-4o-mini", Map.of("api_version", "2024-10-21"));
        ProviderFuzz.assertRelayedOrClearError(PROVIDERS.forPrefix(prefix).orElseThrow(), op,
                ProviderFuzz.call(d, ProviderFuzz.request(op), (control & 4) != 0), false);
    }
}
