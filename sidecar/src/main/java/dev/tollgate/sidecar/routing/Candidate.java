package dev.tollgate.sidecar.routing;

import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import java.util.Optional;

/**
 * One deployment of an alias as the router sees it: the deployment, its adapter (or why it has none
 * it could use), its routing params and its live state. Immutable apart from the shared state.
 */
record Candidate(String alias, Deployment deployment, Failures.Target target, ProviderAdapter adapter,
                 Optional<GatewayError> broken, DeploymentSettings settings, DeploymentState state) {

    String id() {
        return deployment.getId();
    }

    /** "'chat#0' (provider openai)". */
    String describe() {
        return "'" + deployment.getId() + "' (provider " + deployment.getProvider() + ")";
    }
}
