package dev.tollgate.sidecar.provider;

import dev.tollgate.sidecar.provider.anthropic.AnthropicAdapter;
import dev.tollgate.sidecar.provider.azure.AzureUpstream;
import dev.tollgate.sidecar.provider.bedrock.BedrockAdapter;
import dev.tollgate.sidecar.provider.gemini.AiStudioEndpoint;
import dev.tollgate.sidecar.provider.gemini.GeminiAdapter;
import dev.tollgate.sidecar.provider.mock.MockAdapter;
import dev.tollgate.sidecar.provider.ollama.OllamaAdapter;
import dev.tollgate.sidecar.provider.openai.BearerUpstream;
import dev.tollgate.sidecar.provider.openai.OpenAiAdapter;
import dev.tollgate.sidecar.provider.openai.OpenAiUpstream.StreamUsage;
import dev.tollgate.sidecar.provider.vertex.VertexEndpoint;
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

    /** Every adapter on {@code client}, which also logs provider calls for requests under {@link UpstreamDebug}. */
    public static Providers standard(HttpClient client) {
        HttpClient http = UpstreamDebug.wrap(client);
        Map<String, ProviderAdapter> adapters = new LinkedHashMap<>();
        adapters.put("openai", new OpenAiAdapter(http));
        adapters.put("azure", new OpenAiAdapter(http, new AzureUpstream()));
        adapters.put("groq", new OpenAiAdapter(http, "https://api.groq.com/openai/v1"));
        adapters.put("mistral", new OpenAiAdapter(http,
                new BearerUpstream("https://api.mistral.ai/v1", StreamUsage.ALWAYS_AND_REFUSES_OPTION)));
        adapters.put("deepseek", new OpenAiAdapter(http, "https://api.deepseek.com/v1"));
        adapters.put("together_ai", new OpenAiAdapter(http, "https://api.together.xyz/v1"));
        adapters.put("openrouter", new OpenAiAdapter(http, "https://openrouter.ai/api/v1"));
        adapters.put("fireworks_ai", new OpenAiAdapter(http, "https://api.fireworks.ai/inference/v1"));
        adapters.put("hosted_vllm", new OpenAiAdapter(http, BearerUpstream.selfHosted()));
        adapters.put("gemini", new GeminiAdapter(http, new AiStudioEndpoint()));
        adapters.put("vertex_ai", new GeminiAdapter(http, new VertexEndpoint()));
        OllamaAdapter ollama = new OllamaAdapter(http);
        adapters.put("ollama", ollama);
        adapters.put("ollama_chat", ollama);
        adapters.put("mock", new MockAdapter());
        adapters.put("bedrock", new BedrockAdapter(http));
        adapters.put("anthropic", new AnthropicAdapter(http));
        return new Providers(adapters);
    }
}
