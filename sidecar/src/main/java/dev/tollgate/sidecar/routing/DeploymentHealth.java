package dev.tollgate.sidecar.routing;

import java.util.Locale;

/** Whether one deployment of an alias is taking calls on this sidecar, as the router sees it now. Immutable. */
public record DeploymentHealth(String alias, String deploymentId, State state) {

    /** A deployment's state; {@link #label()} is its metric label. */
    public enum State {
        HEALTHY, COOLING;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
