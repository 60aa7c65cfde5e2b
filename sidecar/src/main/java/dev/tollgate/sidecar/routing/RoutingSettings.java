package dev.tollgate.sidecar.routing;

import dev.tollgate.proto.control.v1.RouterSettings;
import dev.tollgate.proto.control.v1.RoutingFallbacks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The policy's {@link RouterSettings} with the sidecar's defaults filled in. Immutable.
 *
 * @param allowedFailsSet whether allowed_fails was configured: only then does an alias with a
 *                        single deployment cool down (as in LiteLLM), since cooling its only
 *                        deployment would just replace the provider's error with no_deployments_available
 */
record RoutingSettings(Strategy strategy, int numRetries, Duration retryAfter, Duration timeout,
                       Optional<Duration> streamTimeout, int allowedFails, boolean allowedFailsSet,
                       Duration cooldownTime, RouterSettings source) {

    static final int DEFAULT_NUM_RETRIES = 0;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);
    static final int DEFAULT_ALLOWED_FAILS = 3;
    static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(5);

    static RoutingSettings of(RouterSettings s) {
        return new RoutingSettings(
                Strategy.named(s.getRoutingStrategy()),
                s.hasNumRetries() ? s.getNumRetries() : DEFAULT_NUM_RETRIES,
                Duration.ofMillis(s.getRetryAfterMs()),
                s.hasTimeoutMs() && s.getTimeoutMs() > 0 ? Duration.ofMillis(s.getTimeoutMs()) : DEFAULT_TIMEOUT,
                s.hasStreamTimeoutMs() && s.getStreamTimeoutMs() > 0
                        ? Optional.of(Duration.ofMillis(s.getStreamTimeoutMs())) : Optional.empty(),
                s.hasAllowedFails() ? s.getAllowedFails() : DEFAULT_ALLOWED_FAILS,
                s.hasAllowedFails(),
                s.hasCooldownTimeMs() ? Duration.ofMillis(s.getCooldownTimeMs()) : DEFAULT_COOLDOWN,
                s);
    }

    /** How many times a failure of this class is retried within its alias. */
    int retriesFor(ErrorClass c, int numRetries) {
        if (!c.retryPolicyKey.isEmpty() && source.containsRetryPolicy(c.retryPolicyKey)) {
            return source.getRetryPolicyOrThrow(c.retryPolicyKey);
        }
        return c.retriedByDefault ? numRetries : 0;
    }

    /** The aliases to try, in order, after {@code alias} failed with a failure of class {@code c}. */
    List<String> fallbacksFor(String alias, ErrorClass c) {
        return switch (c) {
            case CONTEXT_WINDOW -> list(source.getContextWindowFallbacksMap(), alias);
            case CONTENT_POLICY -> list(source.getContentPolicyFallbacksMap(), alias);
            default -> !c.fallsBackGenerically() ? List.of()
                    : source.containsFallbacks(alias) ? list(source.getFallbacksMap(), alias)
                    : source.getDefaultFallbacksList();
        };
    }

    /** Every alias a failure of {@code alias} may fall back to, whatever the failure's class, in order. */
    List<String> allFallbacksFor(String alias) {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(source.containsFallbacks(alias)
                ? list(source.getFallbacksMap(), alias) : source.getDefaultFallbacksList());
        all.addAll(list(source.getContextWindowFallbacksMap(), alias));
        all.addAll(list(source.getContentPolicyFallbacksMap(), alias));
        return List.copyOf(all);
    }

    /** Whether any fallback list names {@code alias} (so a request to it may be repeated elsewhere). */
    boolean hasFallbacks(String alias) {
        return source.containsFallbacks(alias) || source.getDefaultFallbacksCount() > 0
                || source.containsContextWindowFallbacks(alias) || source.containsContentPolicyFallbacks(alias);
    }

    private static List<String> list(Map<String, RoutingFallbacks> byAlias, String alias) {
        RoutingFallbacks f = byAlias.get(alias);
        return f == null ? List.of() : f.getAliasesList();
    }
}
