package dev.tollgate.controlplane.policy;

import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.Exposure;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stand-ins a strict ({@code exposure: control-plane}) deployment's snapshot carries where its
 * secrets would be: {@code tgcp.<base64url(deployment id)>.<field>}. They name the deployment and the
 * field, never anything derived from the secret, so the sidecar learns nothing of it; the sidecar's
 * adapters put them where the key goes and the relay swaps them back. Stateless.
 */
public final class StrictPlaceholders {

    private static final String PREFIX = "tgcp.";
    private static final String BEARER = "Bearer ";

    private StrictPlaceholders() {
    }

    /** The bare placeholder of {@code field} ({@code api_key}, {@code azure_ad_token}, ...) of a deployment. */
    public static String of(String deploymentId, String field) {
        return PREFIX + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(deploymentId.getBytes(StandardCharsets.UTF_8)) + "." + field;
    }

    /**
     * What the snapshot carries for {@code secret}: the placeholder, keeping a {@code "Bearer "} prefix
     * because adapters choose the header by it (Azure's api_key); empty stays empty (no credential).
     */
    public static String standIn(String deploymentId, String field, String secret) {
        if (secret.isEmpty()) {
            return "";
        }
        return secret.startsWith(BEARER) ? BEARER + of(deploymentId, field) : of(deploymentId, field);
    }

    /**
     * {@code snapshot} with each strict deployment's real secrets back in place of its placeholders,
     * for checks the control plane makes itself (doctor's probes). Never to be sent to a sidecar.
     */
    public static PolicySnapshot revealed(PolicySnapshot snapshot, CredentialVault vault) {
        PolicySnapshot.Builder out = snapshot.toBuilder();
        for (Alias.Builder alias : out.getAliasesBuilderList()) {
            for (Deployment.Builder d : alias.getDeploymentsBuilderList()) {
                if (d.getExposure() != Exposure.EXPOSURE_CONTROL_PLANE) {
                    continue;
                }
                vault.secretsOf(d.getId()).forEach((field, secret) -> {
                    if (field.equals("api_key")) {
                        d.setApiKey(secret);
                    } else {
                        d.putParams(field, secret);
                    }
                });
            }
        }
        return out.build();
    }

    /**
     * Placeholder → the text that replaces it, for each secret of a deployment: the inverse of
     * {@link #standIn} (a kept {@code "Bearer "} prefix is not repeated).
     */
    public static Map<String, String> substitutions(String deploymentId, Map<String, String> secretsByField) {
        Map<String, String> out = new LinkedHashMap<>();
        secretsByField.forEach((field, secret) -> {
            if (!secret.isEmpty()) {
                out.put(of(deploymentId, field), secret.startsWith(BEARER) ? secret.substring(BEARER.length()) : secret);
            }
        });
        return out;
    }
}
