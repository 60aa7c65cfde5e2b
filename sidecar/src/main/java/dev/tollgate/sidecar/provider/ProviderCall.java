package dev.tollgate.sidecar.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.failure.Failures;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;

/**
 * One call to a provider: the deployment (with its credential), and the OpenAI-shaped request
 * body whose {@code model} is already the provider's model name.
 *
 * @param clientWantsUsage whether the client asked for {@code stream_options.include_usage}
 */
public record ProviderCall(Failures.Target target, Deployment deployment, ObjectNode body, String requestId,
                           boolean clientWantsUsage) {

    public ProviderCall {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(body, "body");
    }

    /** A deployment parameter from {@code litellm_params}, or {@code fallback}. */
    public String param(String name, String fallback) {
        return deployment.getParamsOrDefault(name, fallback);
    }

    /** The whole provider call's time limit when {@code litellm_params.timeout} is absent or unusable. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);

    /**
     * {@code litellm_params.timeout}: seconds for the whole provider call, decimals allowed as LiteLLM
     * configs write them ({@code 2.5}, {@code 300.0}); {@link #DEFAULT_TIMEOUT} when absent or not a
     * positive number.
     */
    public Duration timeout() {
        String text = param("timeout", "").strip();
        if (text.isEmpty()) {
            return DEFAULT_TIMEOUT; // the usual case: not worth a NumberFormatException per request
        }
        try {
            BigDecimal seconds = new BigDecimal(text);
            if (seconds.signum() > 0) {
                return Duration.ofMillis(Math.max(1, seconds.movePointRight(3).longValue()));
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // fall through to the default
        }
        return DEFAULT_TIMEOUT;
    }

    @Override
    public String toString() {
        // The deployment carries the credential: never print it.
        return "ProviderCall[" + target.describe() + ", request " + requestId + "]";
    }
}
