package dev.tollgate.sidecar.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.Json;
import dev.tollgate.sidecar.usage.Pricing;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * What a request may cost at most, reserved before it is admitted.
 *
 * <p>{@code bounded} says whether {@code costMicros} is a true upper bound: the prompt is known and
 * the completion is capped. The prompt's tokens are bounded by the UTF-8 bytes of the message
 * texts (every token of a byte-level BPE or byte-fallback tokenizer covers at least one byte),
 * plus {@value #TOKENS_PER_MESSAGE} per message for the chat template, plus
 * {@value #TOKENS_PER_MEDIA_PART} per non-text part (images, audio, files: above what the
 * providers bill for one image), plus the whole JSON of everything else in the body (tools and
 * schemas are rendered into the prompt). The completion is capped by the request's
 * {@code max_completion_tokens} / {@code max_tokens} times {@code n}, or by the model's
 * {@code max_output_tokens} (price map or {@code litellm_params}). Without a cap the output is
 * priced at {@link #UNCAPPED_OUTPUT_TOKENS} and the estimate is not a bound.
 *
 * @param costMicros     micro-dollars reserved against budgets (rounded up)
 * @param promptTokens   upper bound of the prompt's tokens
 * @param outputTokens   completion tokens reserved
 * @param bounded        whether the actual cost cannot exceed {@code costMicros}
 */
public record Estimate(long costMicros, long promptTokens, long outputTokens, boolean bounded) {

    /** Completion tokens priced for a request with no cap at all. */
    static final long UNCAPPED_OUTPUT_TOKENS = 4096;
    static final long TOKENS_PER_MESSAGE = 8;
    static final long TOKENS_PER_MEDIA_PART = 3000;
    private static final ObjectMapper JSON = Json.mapper();
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** Tokens reserved against tpm: the prompt bound and the requested cap (0 without one). */
    long tpmTokens(JsonNode body) {
        long cap = requestedCap(body);
        return promptTokens > Long.MAX_VALUE - cap ? Long.MAX_VALUE : promptTokens + cap;
    }

    /** The estimate of a request to {@code d}; {@code body} null means the handler did not show it. */
    static Estimate of(Deployment d, ObjectNode body) {
        long prompt;
        boolean promptKnown = body != null;
        try {
            prompt = promptKnown ? promptBound(body) : 0;
        } catch (IOException e) {
            prompt = 0;
            promptKnown = false;
        }
        long cap = requestedCap(body);
        boolean capped = cap > 0;
        if (!capped) {
            long modelMax = Pricing.maxOutputTokens(d);
            capped = modelMax > 0 || isEmbeddings(body);
            cap = isEmbeddings(body) ? 0 : modelMax > 0 ? times(modelMax, choices(body)) : UNCAPPED_OUTPUT_TOKENS;
        }
        BigDecimal usd = Pricing.price(d, "input_cost_per_token").multiply(BigDecimal.valueOf(prompt))
                .add(Pricing.price(d, "output_cost_per_token").multiply(BigDecimal.valueOf(cap)));
        long micros = Pricing.micros(usd.multiply(MILLION).setScale(0, RoundingMode.CEILING));
        return new Estimate(micros, prompt, cap, promptKnown && capped);
    }

    /**
     * The estimate of a request that any of {@code deployments} may serve: the most expensive, and
     * a bound only if each of theirs is.
     */
    static Estimate worst(List<Deployment> deployments, ObjectNode body) {
        Estimate worst = null;
        boolean bounded = true;
        for (Deployment d : deployments) {
            Estimate e = of(d, body);
            bounded &= e.bounded();
            if (worst == null || e.costMicros() > worst.costMicros()
                    || e.costMicros() == worst.costMicros() && e.outputTokens() > worst.outputTokens()) {
                worst = e;
            }
        }
        return new Estimate(worst.costMicros(), worst.promptTokens(), worst.outputTokens(), bounded);
    }

    /** Upper bound of the prompt tokens of an OpenAI- or Anthropic-shaped request body. */
    static long promptBound(ObjectNode body) throws IOException {
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray()) {
            return JSON.writeValueAsBytes(body).length;
        }
        ObjectNode rest = body.deepCopy();
        rest.remove("messages");
        long bound = JSON.writeValueAsBytes(rest).length;
        for (JsonNode message : messages) {
            bound += TOKENS_PER_MESSAGE + textBytes(message);
        }
        return bound;
    }

    /** UTF-8 bytes of every string value under {@code node}; a fixed allowance per media part. */
    private static long textBytes(JsonNode node) {
        if (node.isTextual()) {
            return node.asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        long sum = 0;
        if (node.isObject()) {
            String type = node.path("type").asText("");
            if (!type.isEmpty() && !type.equals("text") && !type.equals("tool_use") && !type.equals("tool_result")
                    && !type.equals("function")) {
                sum += TOKENS_PER_MEDIA_PART;
            }
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                sum += textBytes(child);
            }
        } else if (!node.isNull() && !node.isMissingNode()) {
            sum += node.asText().length();
        }
        return sum;
    }

    /** {@code max_completion_tokens} or {@code max_tokens}, times {@code n}; 0 when absent. */
    private static long requestedCap(JsonNode body) {
        if (body == null) {
            return 0;
        }
        JsonNode max = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        if (max == null || !max.canConvertToLong() || max.asLong() <= 0) {
            return 0;
        }
        return times(max.asLong(), choices(body));
    }

    /** {@code max_tokens} and {@code n} are the client's numbers: their product saturates rather than wraps. */
    private static long times(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long product = a * b;
        return high == 0 && product >= 0 ? product : Long.MAX_VALUE;
    }

    private static long choices(JsonNode body) {
        JsonNode n = body == null ? null : body.get("n");
        return n != null && n.canConvertToLong() && n.asLong() > 1 ? n.asLong() : 1;
    }

    private static boolean isEmbeddings(JsonNode body) {
        return body != null && body.has("input") && !body.has("messages");
    }
}
