package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.provider.TokenUsage;

/**
 * Anthropic usage against OpenAI usage. Anthropic's {@code input_tokens} excludes cached input, so the
 * OpenAI {@code prompt_tokens} is input + cache reads + cache writes, and cache reads are
 * {@code prompt_tokens_details.cached_tokens}.
 */
final class UsageMapping {

    private UsageMapping() {
    }

    /** A running count of one Anthropic stream or message; fields update as events report them. */
    static final class Counts {
        long input;
        long cacheRead;
        long cacheCreation;
        long output;

        /** Takes every count {@code usage} reports; absent ones keep their value (stream events report some). */
        void update(JsonNode usage) {
            input = usage.path("input_tokens").asLong(input);
            cacheRead = usage.path("cache_read_input_tokens").asLong(cacheRead);
            cacheCreation = usage.path("cache_creation_input_tokens").asLong(cacheCreation);
            output = usage.path("output_tokens").asLong(output);
        }

        TokenUsage tokens() {
            return TokenUsage.reported(TokenUsage.sum(input, cacheRead, cacheCreation), output, cacheRead);
        }
    }

    static TokenUsage fromAnthropic(JsonNode usage) {
        Counts counts = new Counts();
        counts.update(usage);
        return counts.tokens();
    }

    static ObjectNode openAi(TokenUsage usage) {
        ObjectNode u = Json.object()
                .put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.completionTokens())
                .put("total_tokens", usage.promptTokens() + usage.completionTokens());
        u.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens());
        return u;
    }

    /** For the surface: cache writes cannot be told apart in OpenAI usage, so they count as input. */
    static ObjectNode anthropic(TokenUsage usage) {
        return Json.object()
                .put("input_tokens", Math.max(0, usage.promptTokens() - usage.cachedTokens()))
                .put("output_tokens", usage.completionTokens())
                .put("cache_read_input_tokens", usage.cachedTokens())
                .put("cache_creation_input_tokens", 0);
    }
}
