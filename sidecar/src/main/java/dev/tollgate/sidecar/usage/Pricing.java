package dev.tollgate.sidecar.usage;

import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Cost of a call in exact decimal: tokens times the deployment's per-token prices. The control
 * plane puts the effective prices in the deployment params it pushes: the deployment's own
 * {@code input_cost_per_token} / {@code output_cost_per_token} from {@code litellm_params}, else
 * the model price map's entry ({@code tollgate_price_source} says which), with
 * {@code cache_read_input_token_cost} for cached prompt tokens and {@code max_output_tokens}.
 * A deployment without prices costs zero. Stateless, thread-safe.
 */
public final class Pricing {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private Pricing() {
    }

    /** Cost in micro-dollars, rounded half-up; cached tokens are part of {@code promptTokens}. */
    public static long costMicros(Deployment d, long promptTokens, long completionTokens) {
        return costMicros(d, new TokenUsage(promptTokens, completionTokens, 0));
    }

    /**
     * Cost in micro-dollars, rounded half-up. {@code usage.promptTokens()} includes the cached
     * ones (OpenAI's convention); those are priced at the cache-read price when there is one.
     */
    public static long costMicros(Deployment d, TokenUsage usage) {
        BigDecimal in = price(d, "input_cost_per_token");
        BigDecimal out = price(d, "output_cost_per_token");
        String cachedText = d.getParamsOrDefault("cache_read_input_token_cost", "");
        BigDecimal cached = cachedText.isEmpty() ? in : parse(cachedText);
        long cachedTokens = Math.min(usage.cachedTokens(), usage.promptTokens());
        BigDecimal usd = in.multiply(BigDecimal.valueOf(usage.promptTokens() - cachedTokens))
                .add(cached.multiply(BigDecimal.valueOf(cachedTokens)))
                .add(out.multiply(BigDecimal.valueOf(usage.completionTokens())));
        return micros(usd.multiply(MILLION).setScale(0, RoundingMode.HALF_UP));
    }

    /**
     * Whole micro-dollars as a long, saturating at {@link Long#MAX_VALUE}: token counts come from providers
     * (and request fields), and an absurd count must read as an absurd cost, not fail the request.
     */
    public static long micros(BigDecimal wholeMicros) {
        return wholeMicros.compareTo(LONG_MAX) >= 0 ? Long.MAX_VALUE : Math.max(0, wholeMicros.longValue());
    }

    /** {@code 0.000123} style text for the {@code x-tollgate-cost-usd} header. */
    public static String usd(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
    }

    /** A per-token price param of the deployment; zero when absent or malformed. */
    public static BigDecimal price(Deployment d, String param) {
        return parse(d.getParamsOrDefault(param, ""));
    }

    /** The largest completion the deployment's model returns, or 0 when unknown. */
    public static long maxOutputTokens(Deployment d) {
        try {
            return Math.max(0, Long.parseLong(d.getParamsOrDefault("max_output_tokens", "0").trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static BigDecimal parse(String text) {
        if (text.isEmpty()) {
            return BigDecimal.ZERO;
        }
        try {
            BigDecimal value = new BigDecimal(text.trim());
            return value.signum() < 0 ? BigDecimal.ZERO : value;
        } catch (NumberFormatException e) {
            return BigDecimal.ZERO;
        }
    }
}
