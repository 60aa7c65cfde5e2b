package dev.tollgate.controlplane.policy;

import dev.tollgate.controlplane.config.RoutingSettings;
import dev.tollgate.proto.control.v1.RouterSettings;
import dev.tollgate.proto.control.v1.RoutingFallbacks;
import java.util.List;
import java.util.Map;

/** Turns the config's {@link RoutingSettings} into the {@link RouterSettings} every snapshot carries. Stateless. */
public final class RouterSettingsCompiler {

    private RouterSettingsCompiler() {
    }

    public static RouterSettings compile(RoutingSettings s) {
        RouterSettings.Builder b = RouterSettings.newBuilder().setRoutingStrategy(s.routingStrategy().orElse(""));
        s.numRetries().ifPresent(b::setNumRetries);
        s.retryAfter().ifPresent(d -> b.setRetryAfterMs(d.toMillis()));
        s.timeout().ifPresent(d -> b.setTimeoutMs(d.toMillis()));
        s.streamTimeout().ifPresent(d -> b.setStreamTimeoutMs(d.toMillis()));
        s.allowedFails().ifPresent(b::setAllowedFails);
        s.cooldownTime().ifPresent(d -> b.setCooldownTimeMs(d.toMillis()));
        b.putAllFallbacks(lists(s.fallbacks()));
        b.addAllDefaultFallbacks(s.defaultFallbacks());
        b.putAllContextWindowFallbacks(lists(s.contextWindowFallbacks()));
        b.putAllContentPolicyFallbacks(lists(s.contentPolicyFallbacks()));
        b.putAllRetryPolicy(s.retryPolicy());
        b.putAllModelGroupAlias(s.modelGroupAlias());
        return b.build();
    }

    private static Map<String, RoutingFallbacks> lists(Map<String, List<String>> byAlias) {
        Map<String, RoutingFallbacks> out = new java.util.LinkedHashMap<>();
        byAlias.forEach((alias, list) -> out.put(alias, RoutingFallbacks.newBuilder().addAllAliases(list).build()));
        return out;
    }
}
