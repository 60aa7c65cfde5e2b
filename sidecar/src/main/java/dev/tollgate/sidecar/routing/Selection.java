package dev.tollgate.sidecar.routing;

import dev.tollgate.sidecar.failure.GatewayError;

/** What the router found when it looked for a deployment of an alias. */
sealed interface Selection {

    /** {@code candidate} takes the call; {@code lease} holds its in-flight slot. */
    record Picked(Candidate candidate, DeploymentState.Lease lease) implements Selection {
    }

    /** No deployment of the alias is usable at all (unknown provider, missing credential): its error. */
    record Broken(Candidate candidate, GatewayError error) implements Selection {
    }

    /** Every usable deployment is cooling down or at its limits: no_deployments_available. */
    record Unavailable(GatewayError error) implements Selection {
    }
}
