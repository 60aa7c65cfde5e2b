package dev.tollgate.controlplane.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** router_settings and litellm_settings: parsed into one record, validated with messages naming the field path. */
class RoutingSettingsConfigTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String yaml) throws IOException {
        return ConfigLoader.load(Files.writeString(dir.resolve("config.yaml"), yaml));
    }

    private String refusal(String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), yaml);
        return assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(file)).getMessage();
    }

    private static final String MODELS = """
            model_list:
              - model_name: gpt-4o
                litellm_params: {model: openai/gpt-4o, rpm: 600, tpm: 100000, weight: 2, order: 1,
                                 max_parallel_requests: 8, timeout: 30, stream_timeout: 2.5}
              - model_name: gpt-4o
                litellm_params: {model: azure/gpt-4o, drop_params: false}
              - model_name: gpt-4o-mini
                litellm_params: {model: openai/gpt-4o-mini}
              - model_name: claude-long
                litellm_params: {model: anthropic/claude-sonnet-4}
            """;

    @Test
    void routerSettingsInLiteLlmShapeAreReadWhole() throws IOException {
        GatewayConfig config = load(MODELS + """
                router_settings:
                  routing_strategy: latency-based-routing
                  num_retries: 3
                  retry_after: 0.5
                  timeout: 45
                  stream_timeout: 4
                  allowed_fails: 2
                  cooldown_time: 30
                  fallbacks: [{"gpt-4o": ["gpt-4o-mini"]}, {"gpt-4o-mini": ["gpt-4o"]}]
                  default_fallbacks: ["gpt-4o-mini"]
                  context_window_fallbacks: [{"gpt-4o": ["claude-long"]}]
                  content_policy_fallbacks: [{"gpt-4o": ["claude-long", "gpt-4o-mini"]}]
                  retry_policy: {TimeoutErrorRetries: 1, RateLimitErrorRetries: 5, AuthenticationErrorRetries: 0}
                  model_group_alias: {"gpt-4": "gpt-4o", "old-mini": {model: "gpt-4o-mini", hidden: true}}
                """);
        RoutingSettings r = config.routing();
        assertAll(
                () -> assertEquals(Optional.of("latency-based-routing"), r.routingStrategy()),
                () -> assertEquals(OptionalInt.of(3), r.numRetries()),
                () -> assertEquals(Optional.of(Duration.ofMillis(500)), r.retryAfter()),
                () -> assertEquals(Optional.of(Duration.ofSeconds(45)), r.timeout()),
                () -> assertEquals(Optional.of(Duration.ofSeconds(4)), r.streamTimeout()),
                () -> assertEquals(OptionalInt.of(2), r.allowedFails()),
                () -> assertEquals(Optional.of(Duration.ofSeconds(30)), r.cooldownTime()),
                () -> assertEquals(Map.of("gpt-4o", List.of("gpt-4o-mini"), "gpt-4o-mini", List.of("gpt-4o")),
                        r.fallbacks()),
                () -> assertEquals(List.of("gpt-4o-mini"), r.defaultFallbacks()),
                () -> assertEquals(Map.of("gpt-4o", List.of("claude-long")), r.contextWindowFallbacks()),
                () -> assertEquals(Map.of("gpt-4o", List.of("claude-long", "gpt-4o-mini")), r.contentPolicyFallbacks()),
                () -> assertEquals(Map.of("TimeoutErrorRetries", 1, "RateLimitErrorRetries", 5,
                        "AuthenticationErrorRetries", 0), r.retryPolicy()),
                () -> assertEquals(Map.of("gpt-4", "gpt-4o", "old-mini", "gpt-4o-mini"), r.modelGroupAlias()),
                () -> assertFalse(r.dropParams()),
                () -> assertTrue(config.warnings().isEmpty(), config.warnings().toString()));
        // Per-deployment routing params stay litellm_params, pushed as strings.
        assertEquals("2", config.deployments().get(0).params().get("weight"));
        assertEquals("2.5", config.deployments().get(0).params().get("stream_timeout"));
    }

    @Test
    void litellmSettingsFillWhatRouterSettingsLeaveUnset() throws IOException {
        GatewayConfig config = load(MODELS + """
                litellm_settings:
                  num_retries: 4
                  request_timeout: 120
                  allowed_fails: 1
                  cooldown_time: 10
                  fallbacks: [{"gpt-4o": ["gpt-4o-mini"]}]
                  context_window_fallbacks: [{"gpt-4o": ["claude-long"]}]
                  content_policy_fallbacks: [{"gpt-4o": ["gpt-4o-mini"]}]
                  drop_params: true
                  set_verbose: true
                router_settings:
                  num_retries: 2
                  cooldown_time: 60
                """);
        RoutingSettings r = config.routing();
        assertAll(
                () -> assertEquals(OptionalInt.of(2), r.numRetries(), "router_settings wins"),
                () -> assertEquals(Optional.of(Duration.ofSeconds(60)), r.cooldownTime(), "router_settings wins"),
                () -> assertEquals(Optional.of(Duration.ofSeconds(120)), r.timeout(), "request_timeout is the default timeout"),
                () -> assertEquals(OptionalInt.of(1), r.allowedFails()),
                () -> assertEquals(Map.of("gpt-4o", List.of("gpt-4o-mini")), r.fallbacks()),
                () -> assertEquals(Map.of("gpt-4o", List.of("claude-long")), r.contextWindowFallbacks()),
                () -> assertEquals(Map.of("gpt-4o", List.of("gpt-4o-mini")), r.contentPolicyFallbacks()),
                () -> assertTrue(r.dropParams()),
                () -> assertEquals(1, config.warnings().size(), config.warnings().toString()),
                () -> assertTrue(config.warnings().get(0).contains("litellm_settings.set_verbose"),
                        config.warnings().toString()));
        // drop_params is a default: a deployment's own value stays.
        assertEquals("true", config.deployments().get(0).params().get("drop_params"));
        assertEquals("false", config.deployments().get(1).params().get("drop_params"));
    }

    @Test
    void absentSectionsMeanNothingConfigured() throws IOException {
        assertEquals(RoutingSettings.NONE, load(MODELS).routing());
        assertEquals(RoutingSettings.NONE, load("").routing());
    }

    @Test
    void usageBasedRoutingV2IsReadAsUsageBasedRouting() throws IOException {
        assertEquals(Optional.of("usage-based-routing"),
                load("router_settings: {routing_strategy: usage-based-routing-v2}").routing().routingStrategy());
    }

    @Test
    void fallbackToAnAliasNotInModelListIsAWarning() throws IOException {
        GatewayConfig config = load(MODELS + """
                router_settings:
                  fallbacks: [{"gpt-4o": ["gpt-5-typo"]}]
                """);
        assertEquals(List.of("router_settings.fallbacks: alias 'gpt-5-typo' is not a model_name in model_list; "
                + "requests cannot use it until it exists"), config.warnings());
    }

    @Test
    void unknownStrategyIsRefusedListingTheKnownOnes() throws IOException {
        String message = refusal("router_settings: {routing_strategy: round-robin}");
        assertTrue(message.startsWith("router_settings.routing_strategy: \"round-robin\" (expected: one of simple-shuffle, "
                + "least-busy"), message);
    }

    @Test
    void badNumbersAreRefusedNamingTheFieldPath() throws IOException {
        assertEquals("router_settings.num_retries: -1 (expected: an integer >= 0)",
                refusal("router_settings: {num_retries: -1}"));
        assertEquals("litellm_settings.num_retries: \"three\" (expected: an integer >= 0)",
                refusal("litellm_settings: {num_retries: three}"));
        assertEquals("router_settings.allowed_fails: 1.5 (expected: an integer >= 0)",
                refusal("router_settings: {allowed_fails: 1.5}"));
        assertEquals("router_settings.timeout: 0 (expected: seconds > 0, e.g. 30 or 2.5)",
                refusal("router_settings: {timeout: 0}"));
        assertEquals("litellm_settings.request_timeout: \"soon\" (expected: seconds > 0, e.g. 30 or 2.5)",
                refusal("litellm_settings: {request_timeout: soon}"));
        assertEquals("router_settings.cooldown_time: -5 (expected: seconds >= 0, e.g. 30 or 2.5)",
                refusal("router_settings: {cooldown_time: -5}"));
        assertEquals("litellm_settings.drop_params: \"maybe\" (expected: true or false)",
                refusal("litellm_settings: {drop_params: maybe}"));
    }

    @Test
    void badFallbackShapesAreRefusedNamingTheEntry() throws IOException {
        assertEquals("router_settings.fallbacks: expected a list of {alias: [fallback aliases]}",
                refusal("router_settings: {fallbacks: gpt-4o}"));
        assertEquals("router_settings.fallbacks[1]: expected a mapping {alias: [fallback aliases]}",
                refusal("router_settings: {fallbacks: [{a: [b]}, c]}"));
        assertEquals("router_settings.context_window_fallbacks[0].a[1]: 3 (expected: an alias name)",
                refusal("router_settings: {context_window_fallbacks: [{a: [b, 3]}]}"));
        assertEquals("router_settings.default_fallbacks: {\"x\":1} (expected: a list of aliases)",
                refusal("router_settings: {default_fallbacks: {x: 1}}"));
    }

    @Test
    void unknownRetryPolicyKeyIsRefusedListingTheKnownOnes() throws IOException {
        String message = refusal("router_settings: {retry_policy: {TimeoutRetries: 2}}");
        assertTrue(message.startsWith("router_settings.retry_policy.TimeoutRetries: unknown (expected one of "
                + "APIConnectionErrorRetries, AuthenticationErrorRetries"), message);
        assertEquals("router_settings.retry_policy.RateLimitErrorRetries: -2 (expected: an integer >= 0)",
                refusal("router_settings: {retry_policy: {RateLimitErrorRetries: -2}}"));
    }

    @Test
    void deploymentRoutingParamsThatAreNotNumbersAreRefused() throws IOException {
        assertEquals("model_list[0].litellm_params.weight: \"heavy\" (expected: a number >= 0)", refusal("""
                model_list:
                  - model_name: a
                    litellm_params: {model: openai/x, weight: heavy}
                """));
        assertEquals("model_list[0].litellm_params.rpm: 1.5 (expected: an integer >= 0)", refusal("""
                model_list:
                  - model_name: a
                    litellm_params: {model: openai/x, rpm: 1.5}
                """));
        assertEquals("model_list[0].litellm_params.timeout: 0 (expected: seconds > 0, e.g. 30 or 2.5)", refusal("""
                model_list:
                  - model_name: a
                    litellm_params: {model: openai/x, timeout: 0}
                """));
    }

    @Test
    void settingsSectionsThatAreNotMappingsAreRefused() throws IOException {
        assertEquals("router_settings: expected a mapping", refusal("router_settings: [a]"));
        assertEquals("litellm_settings: expected a mapping", refusal("litellm_settings: 3"));
    }
}
