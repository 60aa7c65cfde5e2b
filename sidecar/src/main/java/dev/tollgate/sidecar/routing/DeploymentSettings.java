package dev.tollgate.sidecar.routing;

import dev.tollgate.proto.control.v1.Deployment;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The routing params of one deployment's {@code litellm_params}, read once per policy. The control
 * plane refuses non-numbers at load; anything unreadable here is treated as unset. Immutable.
 *
 * @param streamIdleTimeout the longest gap between two streamed chunks after the first (Tollgate's)
 * @param cost input_cost_per_token + output_cost_per_token per token, when either is set
 */
record DeploymentSettings(OptionalDouble weight, OptionalLong rpm, OptionalLong tpm, OptionalInt order,
                          OptionalInt maxParallelRequests, Optional<Duration> timeout,
                          Optional<Duration> streamTimeout, Optional<Duration> streamIdleTimeout,
                          Optional<BigDecimal> cost) {

    static DeploymentSettings of(Deployment d) {
        return new DeploymentSettings(
                decimal(d, "weight").map(w -> OptionalDouble.of(w.doubleValue())).orElse(OptionalDouble.empty()),
                whole(d, "rpm"),
                whole(d, "tpm"),
                whole(d, "order").stream().mapToInt(Math::toIntExact).findFirst(),
                whole(d, "max_parallel_requests").stream().filter(n -> n > 0).mapToInt(Math::toIntExact).findFirst(),
                Seconds.parse(d.getParamsOrDefault("timeout", "")),
                Seconds.parse(d.getParamsOrDefault("stream_timeout", "")),
                Seconds.parse(d.getParamsOrDefault("stream_idle_timeout", "")),
                cost(d));
    }

    private static Optional<BigDecimal> cost(Deployment d) {
        Optional<BigDecimal> in = decimal(d, "input_cost_per_token");
        Optional<BigDecimal> out = decimal(d, "output_cost_per_token");
        if (in.isEmpty() && out.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(in.orElse(BigDecimal.ZERO).add(out.orElse(BigDecimal.ZERO)));
    }

    private static OptionalLong whole(Deployment d, String param) {
        return decimal(d, param).filter(n -> n.stripTrailingZeros().scale() <= 0)
                .map(n -> OptionalLong.of(n.longValue())).orElse(OptionalLong.empty());
    }

    private static Optional<BigDecimal> decimal(Deployment d, String param) {
        String text = d.getParamsOrDefault(param, "").strip();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            BigDecimal n = new BigDecimal(text);
            return n.signum() < 0 ? Optional.empty() : Optional.of(n);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
