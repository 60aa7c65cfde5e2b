package dev.tollgate.sidecar.routing;

import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.policy.Policy;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.Providers;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One policy version as the router uses it: its settings, and each alias's deployments with their
 * adapters and parsed routing params, built once per policy rather than per request. Immutable
 * (the deployment states it points to are shared and thread-safe).
 */
final class RoutingTable {

    final Policy policy;
    final RoutingSettings settings;
    private final Map<String, List<Candidate>> aliases;

    private RoutingTable(Policy policy, RoutingSettings settings, Map<String, List<Candidate>> aliases) {
        this.policy = policy;
        this.settings = settings;
        this.aliases = aliases;
    }

    static RoutingTable compile(Policy policy, Providers providers, Function<String, DeploymentState> states) {
        Map<String, List<Candidate>> aliases = new HashMap<>();
        for (String alias : policy.aliasNames()) {
            List<Candidate> candidates = new ArrayList<>();
            for (Deployment d : policy.alias(alias).orElseThrow()) {
                Deployment deployment = wholeSecondsTimeout(d);
                Failures.Target target = new Failures.Target(alias, d.getId(), d.getProvider());
                Optional<ProviderAdapter> adapter = providers.forPrefix(d.getProvider());
                Optional<GatewayError> broken = Optional.empty();
                if (adapter.isEmpty()) {
                    broken = Optional.of(Failures.unknownProvider(target, providers.prefixes()));
                } else if (!d.getParamsOrDefault("tollgate_credential_error", "").isEmpty()) {
                    broken = Optional.of(Failures.missingCredential(target, d.getParamsOrThrow("tollgate_credential_error")));
                }
                candidates.add(new Candidate(alias, deployment, target, adapter.orElse(null), broken,
                        DeploymentSettings.of(d), states.apply(d.getId())));
            }
            aliases.put(alias, List.copyOf(candidates));
        }
        return new RoutingTable(policy, RoutingSettings.of(policy.routerSettings()), Map.copyOf(aliases));
    }

    Optional<List<Candidate>> alias(String name) {
        return Optional.ofNullable(aliases.get(name));
    }

    /**
     * Adapters read {@code timeout} as whole seconds for their HTTP client; LiteLLM allows fractions
     * ({@code 0.5}). The router enforces the exact value itself, so adapters get it rounded up.
     */
    private static Deployment wholeSecondsTimeout(Deployment d) {
        String timeout = d.getParamsOrDefault("timeout", "");
        if (timeout.isEmpty() || timeout.strip().matches("[0-9]+")) {
            return d;
        }
        return Seconds.parse(timeout)
                .map(t -> d.toBuilder().putParams("timeout", new BigDecimal(t.toMillis()).movePointLeft(3)
                        .setScale(0, RoundingMode.CEILING).max(BigDecimal.ONE).toPlainString()).build())
                .orElseGet(() -> d.toBuilder().removeParams("timeout").build());
    }
}
