package dev.tollgate.controlplane.policy;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Credentials that replace a deployment's configured ones in the snapshot: short-lived cloud
 * credentials minted in the control plane's memory. The compiler withholds the long-lived params
 * the overlay names (the client secret, the service-account key, the control plane's own AWS keys)
 * and pushes the minted values instead, or the reason there are none. Implementations are
 * thread-safe.
 */
@FunctionalInterface
public interface CredentialOverlay {

    /** No deployment has minted credentials. */
    CredentialOverlay NONE = deploymentId -> Optional.empty();

    /** How an overlay's error starts, so that {@code doctor} tells a minting failure from a missing variable. */
    String MINT_ERROR_PREFIX = "short-lived credential (";

    /** What replaces the deployment's credentials, or empty when it mints none. */
    Optional<Overlay> forDeployment(String deploymentId);

    /**
     * @param withheld params never pushed for this deployment (long-lived secrets used only to mint)
     * @param apiKey   the deployment's api_key to push instead, or empty to keep the configured one
     * @param params   params to push (e.g. aws_session_token, azure_ad_token); empty when {@code error} is set
     * @param error    why there is no usable minted credential (no secret in it); empty when minted
     */
    record Overlay(Set<String> withheld, String apiKey, Map<String, String> params, Optional<String> error) {
        public Overlay {
            withheld = Set.copyOf(withheld);
            Objects.requireNonNull(apiKey, "apiKey");
            params = Map.copyOf(params);
            Objects.requireNonNull(error, "error");
        }

        @Override
        public String toString() {
            return "Overlay[withheld=" + withheld + ", params=" + params.keySet() + ", error=" + error + "]";
        }
    }
}
