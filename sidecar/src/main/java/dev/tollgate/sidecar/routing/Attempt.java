package dev.tollgate.sidecar.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.provider.ProviderAdapter;

/**
 * One provider call the router makes for a request: which alias and deployment, with what adapter.
 * Immutable.
 *
 * @param number    1 for the first call of the request, counting retries and fallbacks
 * @param mayRepeat whether another call may follow this one (retries or fallbacks configured)
 */
public record Attempt(String alias, Deployment deployment, Failures.Target target, ProviderAdapter adapter,
                      int number, boolean mayRepeat) {

    /**
     * The request body for this call, with {@code model} set to the deployment's model: a copy when
     * another call may follow, since adapters may edit the body they are given.
     */
    public ObjectNode body(ObjectNode request) {
        ObjectNode body = mayRepeat ? request.deepCopy() : request;
        body.put("model", deployment.getModel());
        return body;
    }

    @Override
    public String toString() {
        // The deployment carries the credential: never print it.
        return "Attempt[" + number + ", " + target.describe() + "]";
    }
}
