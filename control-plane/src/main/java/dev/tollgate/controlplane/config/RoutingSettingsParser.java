package dev.tollgate.controlplane.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.controlplane.config.ConfigLoader.ConfigException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads {@code router_settings} and {@code litellm_settings} into one {@link RoutingSettings}:
 * a router_settings field wins over its litellm_settings counterpart. Every refusal names the field
 * path and what was expected; fields LiteLLM knows but Tollgate does not act on become warnings.
 */
final class RoutingSettingsParser {

    /** The router_settings fields this parser reads; KnownFields reports the others. */
    static final Set<String> ROUTER_FIELDS = Set.of("routing_strategy", "num_retries", "retry_after",
            "timeout", "stream_timeout", "allowed_fails", "cooldown_time", "fallbacks", "default_fallbacks",
            "context_window_fallbacks", "content_policy_fallbacks", "retry_policy", "model_group_alias");
    static final Set<String> LITELLM_FIELDS = Set.of("num_retries", "request_timeout", "fallbacks",
            "default_fallbacks", "context_window_fallbacks", "content_policy_fallbacks", "allowed_fails",
            "cooldown_time", "drop_params");

    /** Deployment {@code litellm_params} the router reads, with the smallest value each accepts. */
    private static final Map<String, String> DEPLOYMENT_NUMBERS = Map.of(
            "rpm", "integer", "tpm", "integer", "max_parallel_requests", "integer", "order", "integer",
            "weight", "number", "timeout", "seconds", "stream_timeout", "seconds",
            "stream_idle_timeout", "seconds");

    private RoutingSettingsParser() {
    }

    static RoutingSettings parse(JsonNode routerNode, JsonNode litellmNode, List<String> warnings) {
        JsonNode router = section(routerNode, "router_settings");
        JsonNode litellm = section(litellmNode, "litellm_settings");
        Optional<String> strategy = text(router, "routing_strategy", "router_settings.routing_strategy")
                .map(s -> s.equals("usage-based-routing-v2") ? "usage-based-routing" : s);
        strategy.ifPresent(s -> {
            if (!RoutingSettings.STRATEGIES.contains(s)) {
                throw new ConfigException("router_settings.routing_strategy: \"" + s + "\" (expected: one of "
                        + String.join(", ", RoutingSettings.STRATEGIES) + ")");
            }
        });
        try {
            return new RoutingSettings(
                    strategy,
                    or(integer(router, "num_retries", "router_settings"), integer(litellm, "num_retries", "litellm_settings")),
                    seconds(router, "retry_after", "router_settings", false),
                    seconds(router, "timeout", "router_settings", true)
                            .or(() -> seconds(litellm, "request_timeout", "litellm_settings", true)),
                    seconds(router, "stream_timeout", "router_settings", true),
                    or(integer(router, "allowed_fails", "router_settings"),
                            integer(litellm, "allowed_fails", "litellm_settings")),
                    seconds(router, "cooldown_time", "router_settings", false)
                            .or(() -> seconds(litellm, "cooldown_time", "litellm_settings", false)),
                    fallbacks(router, litellm, "fallbacks"),
                    router.has("default_fallbacks") ? aliases(router.get("default_fallbacks"), "router_settings.default_fallbacks")
                            : aliases(litellm.path("default_fallbacks"), "litellm_settings.default_fallbacks"),
                    fallbacks(router, litellm, "context_window_fallbacks"),
                    fallbacks(router, litellm, "content_policy_fallbacks"),
                    retryPolicy(router.path("retry_policy")),
                    modelGroupAlias(router.path("model_group_alias")),
                    bool(litellm, "drop_params", "litellm_settings.drop_params"));
        } catch (IllegalArgumentException e) {
            // The record's own check (unknown retry_policy key, ...): say which section it is in.
            throw new ConfigException("router_settings." + e.getMessage());
        }
    }

    /**
     * Checks the deployment {@code litellm_params} the router reads (rpm, tpm, weight, order,
     * max_parallel_requests, timeout, stream_timeout, stream_idle_timeout), so a typo fails at load instead of being ignored.
     */
    static void checkDeploymentParam(String path, String name, JsonNode value) {
        String kind = DEPLOYMENT_NUMBERS.get(name);
        if (kind == null || value.isNull()) {
            return;
        }
        BigDecimal number = number(value);
        boolean ok = number != null && switch (kind) {
            case "integer" -> number.signum() >= 0 && number.stripTrailingZeros().scale() <= 0;
            case "number" -> number.signum() >= 0;
            default -> number.signum() > 0;
        };
        if (!ok) {
            String expected = switch (kind) {
                case "integer" -> "an integer >= 0";
                case "number" -> "a number >= 0";
                default -> "seconds > 0, e.g. 30 or 2.5";
            };
            throw new ConfigException(path + ": " + render(value) + " (expected: " + expected + ")");
        }
    }

    private static JsonNode section(JsonNode node, String path) {
        if (node.isMissingNode() || node.isNull()) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw new ConfigException(path + ": expected a mapping");
        }
        return node;
    }

    private static Map<String, List<String>> fallbacks(JsonNode router, JsonNode litellm, String field) {
        if (router.has(field)) {
            return fallbackMap(router.get(field), "router_settings." + field);
        }
        return fallbackMap(litellm.path(field), "litellm_settings." + field);
    }

    /** LiteLLM's shape, {@code [{alias: [fallback, ...]}, ...]}, or one mapping {@code {alias: [...]}}. */
    private static Map<String, List<String>> fallbackMap(JsonNode node, String path) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        List<JsonNode> entries = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(entries::add);
        } else if (node.isObject()) {
            entries.add(node);
        } else {
            throw new ConfigException(path + ": expected a list of {alias: [fallback aliases]}");
        }
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            String at = node.isArray() ? path + "[" + i + "]" : path;
            if (!entry.isObject() || entry.isEmpty()) {
                throw new ConfigException(at + ": expected a mapping {alias: [fallback aliases]}");
            }
            Iterator<Map.Entry<String, JsonNode>> fields = entry.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (out.containsKey(f.getKey())) {
                    throw new ConfigException(at + "." + f.getKey() + ": listed twice (expected: one entry per alias)");
                }
                out.put(f.getKey(), aliases(f.getValue(), at + "." + f.getKey()));
            }
        }
        return out;
    }

    /** A list of alias names (a single string is a list of one). */
    private static List<String> aliases(JsonNode node, String path) {
        List<String> out = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (node.isTextual()) {
            node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(node.asText());
        }
        if (!node.isArray()) {
            throw new ConfigException(path + ": " + render(node) + " (expected: a list of aliases)");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode alias = node.get(i);
            if (!alias.isTextual() || alias.asText().isBlank()) {
                throw new ConfigException(path + "[" + i + "]: " + render(alias) + " (expected: an alias name)");
            }
            out.add(alias.asText());
        }
        return out;
    }

    private static Map<String, Integer> retryPolicy(JsonNode node) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new ConfigException("router_settings.retry_policy: expected a mapping such as {RateLimitErrorRetries: 3}");
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!RoutingSettings.RETRY_POLICY_KEYS.contains(name)) {
                throw new ConfigException("router_settings.retry_policy." + name + ": unknown (expected one of "
                        + String.join(", ", new java.util.TreeSet<>(RoutingSettings.RETRY_POLICY_KEYS)) + ")");
            }
            integer(node, name, "router_settings.retry_policy").ifPresent(n -> out.put(name, n));
        }
        return out;
    }

    /** {@code name: alias} or LiteLLM's {@code name: {model: alias, hidden: true}}. */
    private static Map<String, String> modelGroupAlias(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new ConfigException("router_settings.model_group_alias: expected a mapping {name: alias}");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode target = f.getValue().isObject() ? f.getValue().path("model") : f.getValue();
            if (!target.isTextual() || target.asText().isBlank()) {
                throw new ConfigException("router_settings.model_group_alias." + f.getKey() + ": " + render(f.getValue())
                        + " (expected: an alias name, or {model: alias})");
            }
            out.put(f.getKey(), target.asText());
        }
        return out;
    }

    private static Optional<String> text(JsonNode section, String field, String path) {
        JsonNode v = section.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw new ConfigException(path + ": " + render(v) + " (expected: a string)");
        }
        return Optional.of(v.asText());
    }

    private static OptionalInt integer(JsonNode section, String field, String sectionPath) {
        JsonNode v = section.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return OptionalInt.empty();
        }
        BigDecimal n = number(v);
        if (n == null || n.signum() < 0 || n.stripTrailingZeros().scale() > 0 || n.compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
            throw new ConfigException(sectionPath + "." + field + ": " + render(v) + " (expected: an integer >= 0)");
        }
        return OptionalInt.of(n.intValueExact());
    }

    private static Optional<Duration> seconds(JsonNode section, String field, String sectionPath, boolean positive) {
        JsonNode v = section.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return Optional.empty();
        }
        BigDecimal n = number(v);
        if (n == null || n.signum() < 0 || positive && n.signum() == 0) {
            throw new ConfigException(sectionPath + "." + field + ": " + render(v) + " (expected: seconds "
                    + (positive ? "> 0" : ">= 0") + ", e.g. 30 or 2.5)");
        }
        return Optional.of(Duration.ofNanos(n.movePointRight(9).longValue()));
    }

    private static boolean bool(JsonNode section, String field, String path) {
        JsonNode v = section.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(v.asText());
        }
        throw new ConfigException(path + ": " + render(v) + " (expected: true or false)");
    }

    private static BigDecimal number(JsonNode v) {
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isTextual()) {
            try {
                return new BigDecimal(v.asText().strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static OptionalInt or(OptionalInt first, OptionalInt second) {
        return first.isPresent() ? first : second;
    }

    private static String render(JsonNode v) {
        return v.isTextual() ? "\"" + v.asText() + "\"" : v.toString();
    }
}
