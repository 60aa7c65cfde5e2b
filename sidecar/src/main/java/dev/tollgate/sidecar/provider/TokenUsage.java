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

    /**
     * Counts as a provider reported them, which the gateway cannot trust to be sane: a negative count
     * (a provider bug, or a hostile answer) counts as 0, so that a bad usage object costs nothing rather
     * than failing an answered request.
     */
    public static TokenUsage reported(long promptTokens, long completionTokens, long cachedTokens) {
        return new TokenUsage(Math.max(0, promptTokens), Math.max(0, completionTokens), Math.max(0, cachedTokens));
    }

    /** The sum of reported counts, negative ones as 0, capped at {@link Long#MAX_VALUE} instead of wrapping. */
    public static long sum(long... counts) {
        long total = 0;
        for (long c : counts) {
            if (c > 0) {
                total = total > Long.MAX_VALUE - c ? Long.MAX_VALUE : total + c;
            }
        }
        return total;
    }

    /** Reads an OpenAI {@code usage} object; missing fields count as 0. */
    public static TokenUsage fromOpenAi(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return NONE;
        }
        return reported(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0),
                usage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
    }
}
