package dev.tollgate.controlplane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PriceMapTest {

    private final PriceMap prices = PriceMap.bundled();

    @Test
    void bundledMapCoversEveryProviderFamilyWithExactDecimalPrices() {
        assertTrue(prices.size() >= 50, "models in the map: " + prices.size());
        assertFalse(prices.taken().isEmpty());
        for (String key : new String[] {"openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5-20250929",
                "gemini/gemini-2.5-flash", "bedrock/amazon.nova-lite-v1:0", "mistral/mistral-large-2411"}) {
            PriceMap.Price p = prices.lookup(key.substring(0, key.indexOf('/')), key.substring(key.indexOf('/') + 1),
                    Map.of()).orElseThrow(() -> new AssertionError(key)).getValue();
            assertTrue(p.input().signum() > 0 && p.output().signum() > 0, key);
            assertTrue(p.contextWindow() > 0 && p.maxOutputTokens() > 0, key);
        }
        assertEquals(0, new BigDecimal("0.00000015").compareTo(
                prices.lookup("openai", "gpt-4o-mini", Map.of()).orElseThrow().getValue().input()));
    }

    @Test
    void datedRegionalAliasedAndBaseModelNamesFindTheirEntry() {
        assertEquals("openai/gpt-4o-mini", prices.lookup("openai", "gpt-4o-mini-2024-07-18", Map.of()).orElseThrow().getKey());
        assertEquals("anthropic/claude-sonnet-4-5-20250929",
                prices.lookup("anthropic", "claude-sonnet-4-5", Map.of()).orElseThrow().getKey());
        assertEquals("bedrock/anthropic.claude-sonnet-4-20250514-v1:0",
                prices.lookup("bedrock", "us.anthropic.claude-sonnet-4-20250514-v1:0", Map.of()).orElseThrow().getKey());
        assertEquals("openai/gpt-4o", prices.lookup("azure", "my-deployment", Map.of("base_model", "gpt-4o"))
                .orElseThrow().getKey());
        assertTrue(prices.lookup("openai", "llama-3.1-8b-instruct", Map.of()).isEmpty());
    }

    @Test
    void configPricesWinAndTheSourceIsNamed() {
        Map<String, String> fromMap = prices.effectiveParams("openai", "gpt-4o", Map.of());
        assertEquals("0.0000025", fromMap.get("input_cost_per_token"));
        assertEquals("0.00000125", fromMap.get("cache_read_input_token_cost"));
        assertEquals("16384", fromMap.get("max_output_tokens"));
        assertTrue(fromMap.get(PriceMap.SOURCE_PARAM).startsWith("price_map:openai/gpt-4o@"));

        Map<String, String> overridden = prices.effectiveParams("openai", "gpt-4o",
                Map.of("input_cost_per_token", "0.000001", "output_cost_per_token", "0.000002"));
        assertEquals("0.000001", overridden.get("input_cost_per_token"));
        assertEquals("0.000002", overridden.get("output_cost_per_token"));
        assertEquals("config", overridden.get(PriceMap.SOURCE_PARAM));

        assertEquals("none", prices.effectiveParams("mock", "anything", Map.of()).get(PriceMap.SOURCE_PARAM));
    }
}
