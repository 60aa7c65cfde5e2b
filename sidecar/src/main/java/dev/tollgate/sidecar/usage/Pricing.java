package dev.tollgate.sidecar.usage;

import dev.tollgate.proto.control.v1.Deployment;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Cost of a call in exact decimal: tokens times the deployment's per-token prices
 * ({@code input_cost_per_token}, {@code output_cost_per_token} in {@code litellm_params}).
 * A deployment without prices costs zero until the model price map lands.
 */
public final class Pricing {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private Pricing() {
    }

    /** Cost in micro-dollars, rounded half-up. */
    public static long costMicros(Deployment d, long promptTokens, long completionTokens) {
        BigDecimal in = price(d, "input_cost_per_token");
        BigDecimal out = price(d, "output_cost_per_token");
        BigDecimal usd = in.multiply(BigDecimal.valueOf(promptTokens)).add(out.multiply(BigDecimal.valueOf(completionTokens)));
        return usd.multiply(MILLION).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    /** {@code 0.000123} style text for the {@code x-tollgate-cost-usd} header. */
    public static String usd(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
    }

    private static BigDecimal price(Deployment d, String param) {
        String text = d.getParamsOrDefault(param, "");
        if (text.isEmpty()) {
            return BigDecimal.ZERO;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return BigDecimal.ZERO;
        }
    }
}
