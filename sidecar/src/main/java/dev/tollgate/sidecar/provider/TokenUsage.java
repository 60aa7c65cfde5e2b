package dev.tollgate.sidecar.provider;

import com.fasterxml.jackson.databind.JsonNode;

/** Tokens one provider call consumed, whatever the provider calls them. */
public record TokenUsage(long promptTokens, long completionTokens, long cachedTokens) {

    public static final TokenUsage NONE = new TokenUsage(0, 0, 0);

    public TokenUsage {
        if (promptTokens < 0 || completionTokens < 0 || cachedTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0");
        }
    }

    /** Reads an OpenAI {@code usage} object; missing fields count as 0. */
    public static TokenUsage fromOpenAi(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return NONE;
        }
        return new TokenUsage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0),
                usage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
    }
}
