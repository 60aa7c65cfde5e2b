package dev.tollgate.sidecar.routing;

import dev.tollgate.sidecar.failure.GatewayError;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long to wait before a retry. A retry that goes to another deployment waits only
 * {@code retry_after} (the configured least wait): the failure was the other deployment's. A retry on
 * the same deployment backs off exponentially from {@link #INITIAL} up to {@link #MAX}, with jitter
 * (a random 25–100 % of the step, so that clients that failed together do not retry together), and
 * never sooner than the provider's {@code Retry-After} or {@code retry_after}.
 */
final class Backoff {

    static final Duration INITIAL = Duration.ofMillis(500);
    static final Duration MAX = Duration.ofSeconds(8);

    private Backoff() {
    }

    /** @param retry 1 for the first retry of the alias */
    static Duration before(int retry, GatewayError failure, boolean sameDeployment, Duration retryAfter,
                           RandomGenerator random) {
        if (!sameDeployment) {
            return retryAfter;
        }
        long step = Math.min(MAX.toMillis(), INITIAL.toMillis() << Math.min(retry - 1, 20));
        long jittered = Math.round(step * (1 - 0.75 * random.nextDouble()));
        long providerAsked = failure.retryAfterSeconds().orElse(0L) * 1000;
        return Duration.ofMillis(Math.max(jittered, Math.max(providerAsked, retryAfter.toMillis())));
    }
}
