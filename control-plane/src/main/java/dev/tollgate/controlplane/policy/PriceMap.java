package dev.tollgate.controlplane.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The model price map shipped with the control plane ({@code model_prices.json}): per-token USD
 * prices as exact decimals, context window and largest completion per {@code <provider>/<model>}.
 *
 * <p>The control plane, not the sidecar, owns it: {@link PolicyCompiler} writes each deployment's
 * effective prices into the deployment params it pushes ({@code input_cost_per_token},
 * {@code output_cost_per_token}, {@code cache_read_input_token_cost}, {@code max_output_tokens},
 * and {@code tollgate_price_source} saying where they came from), so every sidecar prices a call
 * the same way and a price update needs no sidecar release. A value set in the deployment's
 * {@code litellm_params} always wins over the map. Immutable, thread-safe.
 */
public final class PriceMap {

    /** Deployment param naming where the prices came from: {@code config}, {@code price_map:<key>@<date>} or {@code none}. */
    public static final String SOURCE_PARAM = "tollgate_price_source";
    static final String INPUT = "input_cost_per_token";
    static final String OUTPUT = "output_cost_per_token";
    static final String CACHED = "cache_read_input_token_cost";
    static final String MAX_OUTPUT = "max_output_tokens";

    /** One model's prices; {@code cachedInput} empty means cached tokens cost the input price. */
    public record Price(BigDecimal input, BigDecimal output, Optional<BigDecimal> cachedInput, long contextWindow,
                        long maxOutputTokens) {
        public Price {
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(output, "output");
            if (input.signum() < 0 || output.signum() < 0) {
                throw new IllegalArgumentException("prices must be >= 0");
            }
        }
    }

    private final Map<String, Price> models;
    private final Map<String, String> aliases;
    private final String taken;

    PriceMap(Map<String, Price> models, Map<String, String> aliases, String taken) {
        this.models = Map.copyOf(models);
        this.aliases = Map.copyOf(aliases);
        this.taken = taken;
    }

    /** The map bundled in the control plane jar. */
    public static PriceMap bundled() {
        try (InputStream in = PriceMap.class.getResourceAsStream("/model_prices.json")) {
            if (in == null) {
                throw new IllegalStateException("model_prices.json is missing from the control plane jar");
            }
            return parse(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new IllegalStateException("model_prices.json is unreadable: " + e.getMessage(), e);
        }
    }

    static PriceMap parse(JsonNode root) {
        Map<String, Price> models = new HashMap<>();
        root.path("models").fields().forEachRemaining(f -> {
            JsonNode m = f.getValue();
            try {
                models.put(f.getKey(), new Price(new BigDecimal(m.path(INPUT).asText()),
                        new BigDecimal(m.path(OUTPUT).asText()),
                        m.hasNonNull(CACHED) ? Optional.of(new BigDecimal(m.get(CACHED).asText())) : Optional.empty(),
                        m.path("context_window").asLong(0), m.path(MAX_OUTPUT).asLong(0)));
            } catch (NumberFormatException e) {
                throw new IllegalStateException("model_prices.json: " + f.getKey() + " has a price that is not a decimal");
            }
        });
        Map<String, String> aliases = new HashMap<>();
        root.path("aliases").fields().forEachRemaining(f -> aliases.put(f.getKey(), f.getValue().asText()));
        return new PriceMap(models, aliases, root.path("taken").asText(""));
    }

    public String taken() {
        return taken;
    }

    public int size() {
        return models.size();
    }

    /** The map entry for a deployment: its key and prices, or empty when the model is not in the map. */
    public Optional<Map.Entry<String, Price>> lookup(String provider, String model, Map<String, String> params) {
        for (String key : candidates(provider, model, params.getOrDefault("base_model", ""))) {
            String target = aliases.getOrDefault(key, key);
            Price price = models.get(target);
            if (price != null) {
                return Optional.of(Map.entry(target, price));
            }
        }
        return Optional.empty();
    }

    /**
     * The deployment's params with the effective prices filled in: anything the config set stays;
     * what it left out comes from the map entry of the model, when there is one.
     */
    public Map<String, String> effectiveParams(String provider, String model, Map<String, String> params) {
        Map<String, String> out = new LinkedHashMap<>(params);
        boolean configured = params.containsKey(INPUT) || params.containsKey(OUTPUT);
        Optional<Map.Entry<String, Price>> entry = lookup(provider, model, params);
        if (entry.isPresent()) {
            Price p = entry.get().getValue();
            out.putIfAbsent(INPUT, p.input().toPlainString());
            out.putIfAbsent(OUTPUT, p.output().toPlainString());
            p.cachedInput().ifPresent(c -> out.putIfAbsent(CACHED, c.toPlainString()));
            if (p.maxOutputTokens() > 0) {
                out.putIfAbsent(MAX_OUTPUT, Long.toString(p.maxOutputTokens()));
            }
        }
        out.put(SOURCE_PARAM, configured ? "config"
                : entry.map(e -> "price_map:" + e.getKey() + "@" + taken).orElse("none"));
        return out;
    }

    /** Keys to try, most specific first. */
    private static List<String> candidates(String provider, String model, String baseModel) {
        List<String> out = new ArrayList<>();
        out.add(provider + "/" + model);
        String undated = model.replaceFirst("-\\d{4}-\\d{2}-\\d{2}$", "").replaceFirst("-\\d{8}$", "");
        // Bedrock cross-region inference profiles ("us.anthropic.claude-...") cost what the model costs.
        String regionless = model.replaceFirst("^(us|eu|apac|us-gov|global)\\.", "");
        out.add(provider + "/" + regionless);
        out.add(provider + "/" + undated);
        switch (provider) {
            case "vertex_ai" -> {
                String vertex = model.replace('@', '-');
                out.add("gemini/" + vertex);
                out.add("anthropic/" + vertex);
            }
            case "azure", "azure_ai" -> out.add("openai/" + undated);
            default -> { }
        }
        if (!baseModel.isEmpty()) {
            out.add(baseModel.contains("/") ? baseModel : provider + "/" + baseModel);
            for (String p : List.of("openai", "anthropic", "gemini", "bedrock", "mistral")) {
                out.add(p + "/" + baseModel);
            }
        }
        return out;
    }
}
