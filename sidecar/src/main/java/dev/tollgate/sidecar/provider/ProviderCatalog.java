package dev.tollgate.sidecar.provider;

import dev.tollgate.sidecar.provider.anthropic.AnthropicAdapter;
import dev.tollgate.sidecar.provider.mock.MockAdapter;
import dev.tollgate.sidecar.provider.openai.OpenAiAdapter;
import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every provider prefix the sidecar knows and the adapter that serves it. Adding a provider is one
 * line here plus its package.
 */
public final class ProviderCatalog {

    private ProviderCatalog() {
    }

    public static Providers standard(HttpClient http) {
        Map<String, ProviderAdapter> adapters = new LinkedHashMap<>();
        adapters.put("openai", new OpenAiAdapter(http));
        adapters.put("mock", new MockAdapter());
        adapters.put("anthropic", new AnthropicAdapter(http));
        return new Providers(adapters);
    }
}
