package dev.tollgate.sidecar.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.failure.Failures;
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

    @Override
    public String toString() {
        // The deployment carries the credential: never print it.
        return "ProviderCall[" + target.describe() + ", request " + requestId + "]";
    }
}
