package dev.tollgate.controlplane.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * How sidecars route, retry, cool down and fall back: {@code router_settings}, with
 * {@code litellm_settings} filling what it leaves unset. An empty optional means "not configured":
 * the sidecar's default applies.
 *
 * @param routingStrategy        one of {@link #STRATEGIES}
 * @param numRetries             retries of a failed call within its alias
 * @param retryAfter             least wait before a retry
 * @param timeout                a request's total time, retries and fallbacks included
 *                               ({@code litellm_settings.request_timeout} when router_settings lacks it)
 * @param streamTimeout          time to the first streamed token of one attempt
 * @param allowedFails           failures per minute before a deployment cools down
 * @param cooldownTime           how long a deployment cools down
 * @param fallbacks              alias to the aliases tried in order when it fails
 * @param defaultFallbacks       tried for an alias without an entry in {@code fallbacks}
 * @param contextWindowFallbacks alias to aliases tried on a context-window error
 * @param contentPolicyFallbacks alias to aliases tried on a content-policy refusal
 * @param retryPolicy            retries per error class, by LiteLLM's RetryPolicy names ({@link #RETRY_POLICY_KEYS})
 * @param modelGroupAlias        model name an app may send to the alias that serves it
 * @param dropParams             {@code litellm_settings.drop_params}: the default of every deployment's drop_params
 */
public record RoutingSettings(
        Optional<String> routingStrategy, OptionalInt numRetries, Optional<Duration> retryAfter,
        Optional<Duration> timeout, Optional<Duration> streamTimeout, OptionalInt allowedFails,
        Optional<Duration> cooldownTime, Map<String, List<String>> fallbacks, List<String> defaultFallbacks,
        Map<String, List<String>> contextWindowFallbacks, Map<String, List<String>> contentPolicyFallbacks,
        Map<String, Integer> retryPolicy, Map<String, String> modelGroupAlias, boolean dropParams) {

    /** The routing strategies, by their LiteLLM names ({@code usage-based-routing-v2} is read as usage-based). */
    public static final List<String> STRATEGIES = List.of("simple-shuffle", "least-busy", "latency-based-routing",
            "usage-based-routing", "cost-based-routing");

    /** LiteLLM's RetryPolicy fields, and Tollgate's APIConnectionErrorRetries. */
    public static final Set<String> RETRY_POLICY_KEYS = Set.of("BadRequestErrorRetries", "AuthenticationErrorRetries",
            "TimeoutErrorRetries", "RateLimitErrorRetries", "ContentPolicyViolationErrorRetries",
            "InternalServerErrorRetries", "APIConnectionErrorRetries");

    /** Nothing configured. */
    public static final RoutingSettings NONE = new RoutingSettings(Optional.empty(), OptionalInt.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty(), Map.of(),
            List.of(), Map.of(), Map.of(), Map.of(), Map.of(), false);

    public RoutingSettings {
        Objects.requireNonNull(routingStrategy, "routingStrategy");
        routingStrategy.ifPresent(s -> {
            if (!STRATEGIES.contains(s)) {
                throw new IllegalArgumentException("routing_strategy: \"" + s + "\" (expected: one of " + STRATEGIES + ")");
            }
        });
        numRetries.ifPresent(n -> atLeast("num_retries", n, 0));
        allowedFails.ifPresent(n -> atLeast("allowed_fails", n, 0));
        retryAfter.ifPresent(d -> notNegative("retry_after", d));
        timeout.ifPresent(d -> positive("timeout", d));
        streamTimeout.ifPresent(d -> positive("stream_timeout", d));
        cooldownTime.ifPresent(d -> notNegative("cooldown_time", d));
        fallbacks = copy(fallbacks);
        defaultFallbacks = List.copyOf(defaultFallbacks);
        contextWindowFallbacks = copy(contextWindowFallbacks);
        contentPolicyFallbacks = copy(contentPolicyFallbacks);
        retryPolicy.forEach((k, v) -> {
            if (!RETRY_POLICY_KEYS.contains(k)) {
                throw new IllegalArgumentException("retry_policy." + k + ": unknown (expected one of "
                        + new java.util.TreeSet<>(RETRY_POLICY_KEYS) + ")");
            }
            atLeast("retry_policy." + k, v, 0);
        });
        retryPolicy = Map.copyOf(retryPolicy);
        modelGroupAlias = Map.copyOf(modelGroupAlias);
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> byAlias) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        byAlias.forEach((alias, list) -> out.put(alias, List.copyOf(list)));
        return java.util.Collections.unmodifiableMap(out);
    }

    private static void atLeast(String field, int value, int least) {
        if (value < least) {
            throw new IllegalArgumentException(field + ": " + value + " (expected: >= " + least + ")");
        }
    }

    private static void notNegative(String field, Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException(field + ": " + d + " (expected: >= 0 seconds)");
        }
    }

    private static void positive(String field, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + ": " + d + " (expected: > 0 seconds)");
        }
    }
}
