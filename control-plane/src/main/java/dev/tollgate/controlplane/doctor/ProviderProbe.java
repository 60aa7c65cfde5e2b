package dev.tollgate.controlplane.doctor;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Per provider prefix: its default base URL and the cheapest authenticated call it offers (list
 * models), so the doctor can check reachability, the credential and the model without spending.
 * The prefixes mirror the sidecar's provider catalogue.
 */
record ProviderProbe(String defaultBase, Auth auth, String modelsPath) {

    /** How the credential is presented on the probe call. */
    enum Auth { BEARER, X_API_KEY_ANTHROPIC, GOOGLE_KEY, AZURE_KEY, NONE }

    private static final Map<String, ProviderProbe> KNOWN = Map.ofEntries(
            Map.entry("openai", new ProviderProbe("https://api.openai.com/v1", Auth.BEARER, "/models")),
            Map.entry("azure", new ProviderProbe("", Auth.AZURE_KEY, "")),
            Map.entry("anthropic", new ProviderProbe("https://api.anthropic.com", Auth.X_API_KEY_ANTHROPIC, "/v1/models")),
            Map.entry("gemini", new ProviderProbe("https://generativelanguage.googleapis.com", Auth.GOOGLE_KEY,
                    "/v1beta/models")),
            Map.entry("vertex_ai", new ProviderProbe("https://us-central1-aiplatform.googleapis.com", Auth.NONE, "")),
            Map.entry("bedrock", new ProviderProbe("", Auth.NONE, "")),
            Map.entry("ollama", new ProviderProbe("http://localhost:11434", Auth.NONE, "/api/tags")),
            Map.entry("ollama_chat", new ProviderProbe("http://localhost:11434", Auth.NONE, "/api/tags")),
            Map.entry("groq", new ProviderProbe("https://api.groq.com/openai/v1", Auth.BEARER, "/models")),
            Map.entry("mistral", new ProviderProbe("https://api.mistral.ai/v1", Auth.BEARER, "/models")),
            Map.entry("deepseek", new ProviderProbe("https://api.deepseek.com/v1", Auth.BEARER, "/models")),
            Map.entry("together_ai", new ProviderProbe("https://api.together.xyz/v1", Auth.BEARER, "/models")),
            Map.entry("openrouter", new ProviderProbe("https://openrouter.ai/api/v1", Auth.BEARER, "/models")),
            Map.entry("fireworks_ai", new ProviderProbe("https://api.fireworks.ai/inference/v1", Auth.BEARER, "/models")),
            Map.entry("hosted_vllm", new ProviderProbe("", Auth.BEARER, "/models")),
            Map.entry("mock", new ProviderProbe("", Auth.NONE, "")));

    static Optional<ProviderProbe> forPrefix(String prefix) {
        return Optional.ofNullable(KNOWN.get(prefix));
    }

    static java.util.Set<String> prefixes() {
        return new java.util.TreeSet<>(KNOWN.keySet());
    }

    /** The base URL a deployment talks to: its api_base, else the provider's default (empty if none). */
    String base(String apiBase, Map<String, String> params) {
        if (!apiBase.isEmpty()) {
            return apiBase;
        }
        if (auth == Auth.NONE && defaultBase.contains("aiplatform")) {
            return "https://" + params.getOrDefault("vertex_location", "us-central1") + "-aiplatform.googleapis.com";
        }
        if (defaultBase.isEmpty() && params.containsKey("aws_region_name")) {
            return "https://bedrock-runtime." + params.get("aws_region_name") + ".amazonaws.com";
        }
        return defaultBase;
    }

    static Optional<URI> uri(String base) {
        try {
            URI uri = URI.create(base);
            return uri.getHost() == null ? Optional.empty() : Optional.of(uri);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
