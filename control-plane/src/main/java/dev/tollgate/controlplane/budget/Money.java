package dev.tollgate.controlplane.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** USD amounts as exact decimals and integer micro-dollars; never binary floating point. */
public final class Money {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private Money() {
    }

    /** Exact conversion; refuses amounts finer than a micro-dollar rather than rounding them. */
    public static long micros(BigDecimal usd) {
        BigDecimal micros = usd.multiply(MILLION);
        try {
            return micros.setScale(0, RoundingMode.UNNECESSARY).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(usd.toPlainString()
                    + " (expected: a USD amount with at most 6 decimal places)");
        }
    }

    /** A micro-dollar amount as a USD decimal with 6 places. */
    public static BigDecimal usd(long micros) {
        return BigDecimal.valueOf(micros, 6);
    }
}
