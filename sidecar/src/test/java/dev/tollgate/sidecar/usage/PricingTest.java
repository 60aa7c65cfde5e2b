package dev.tollgate.sidecar.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.provider.TokenUsage;
import org.junit.jupiter.api.Test;

class PricingTest {

    private static final Deployment GPT_4O = Deployment.newBuilder().setId("x#0")
            .putParams("input_cost_per_token", "0.0000025")
            .putParams("output_cost_per_token", "0.00001")
            .putParams("cache_read_input_token_cost", "0.00000125")
            .build();

    @Test
    void cachedPromptTokensArePricedAtTheCacheReadPriceExactly() {
        // 1000 prompt tokens of which 400 cached, 200 completion:
        // 600 x 2.5e-6 + 400 x 1.25e-6 + 200 x 1e-5 = 0.0015 + 0.0005 + 0.002 = $0.004
        assertEquals(4_000, Pricing.costMicros(GPT_4O, new TokenUsage(1_000, 200, 400)));
        assertEquals("0.004000", Pricing.usd(4_000));
    }

    @Test
    void withoutACacheReadPriceCachedTokensCostTheInputPriceAndUnpricedCostsNothing() {
        Deployment noCache = GPT_4O.toBuilder().removeParams("cache_read_input_token_cost").build();
        assertEquals(4_500, Pricing.costMicros(noCache, new TokenUsage(1_000, 200, 400)));
        assertEquals(0, Pricing.costMicros(Deployment.getDefaultInstance(), new TokenUsage(10, 10, 0)));
    }

    @Test
    void sevenTokensAtATenthOfAMicroDollarRoundHalfUp() {
        Deployment tiny = Deployment.newBuilder().putParams("input_cost_per_token", "0.0000001").build();
        assertEquals(1, Pricing.costMicros(tiny, new TokenUsage(7, 0, 0)));
        assertEquals(0, Pricing.costMicros(tiny, new TokenUsage(4, 0, 0)));
    }
}
