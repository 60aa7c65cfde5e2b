package dev.tollgate.controlplane.policy;

import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.config.ProviderOrigins;
import dev.tollgate.controlplane.credentials.CredentialCatalog;
import dev.tollgate.proto.control.v1.Deployment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fills a deployment from the named credential its {@code litellm_params.litellm_credential_name}
 * points at. The deployment's own {@code litellm_params} win: a credential supplies only what the
 * deployment leaves unset ({@code api_key}, {@code api_base}, and any other field as a param). For a
 * strict deployment ({@code exposure: control-plane}, its own or its credential's) the secrets go into
 * the snapshot as stand-ins, and the real values stay in the control plane for the relay.
 */
final class NamedCredentials {

    /** The deployment param that names the credential (LiteLLM's name). */
    static final String PARAM = "litellm_credential_name";

    private NamedCredentials() {
    }

    /** Whether the credential asks, through {@code credential_info.exposure}, to stay in the control plane. */
    static boolean wantsControlPlane(CredentialCatalog.Lookup credential) {
        return credential instanceof CredentialCatalog.Lookup.Found found
                && found.exposure().filter(ModelDeployment.EXPOSURE_CONTROL_PLANE::equals).isPresent();
    }

    /**
     * Applies the credential to {@code deployment}; returns the secrets (by field) a strict deployment
     * keeps in the control plane, empty otherwise.
     */
    static Map<String, String> apply(Deployment.Builder deployment, String name, CredentialCatalog.Lookup lookup,
                                     boolean strict) {
        Map<String, String> kept = new LinkedHashMap<>();
        switch (lookup) {
            case CredentialCatalog.Lookup.Found found -> {
                if (strict) {
                    String apiBase = deployment.getApiBase().isEmpty()
                            ? found.values().getOrDefault("api_base", "") : deployment.getApiBase();
                    String refusal = strictRefusal(deployment.getProvider(), apiBase);
                    if (refusal != null) {
                        deployment.putParams(PolicyCompiler.CREDENTIAL_ERROR_PARAM, "credential " + name + " has"
                                + " credential_info.exposure: control-plane, but " + refusal);
                        return kept;
                    }
                }
                for (Map.Entry<String, String> field : found.values().entrySet()) {
                    String value = field.getValue();
                    boolean secret = field.getKey().equals("api_key")
                            || ModelDeployment.SECRET_PARAMS.contains(field.getKey());
                    String pushed = strict && secret ? StrictPlaceholders.standIn(deployment.getId(), field.getKey(), value)
                            : value;
                    boolean used = switch (field.getKey()) {
                        case "api_key" -> {
                            if (!deployment.getApiKey().isEmpty()) {
                                yield false;
                            }
                            deployment.setApiKey(pushed);
                            yield true;
                        }
                        case "api_base" -> {
                            if (!deployment.getApiBase().isEmpty()) {
                                yield false;
                            }
                            deployment.setApiBase(pushed);
                            yield true;
                        }
                        default -> {
                            if (deployment.containsParams(field.getKey())) {
                                yield false;
                            }
                            deployment.putParams(field.getKey(), pushed);
                            yield true;
                        }
                    };
                    if (used && strict && secret) {
                        kept.put(field.getKey(), value);
                    }
                }
            }
            case CredentialCatalog.Lookup.Missing missing -> deployment.putParams(
                    PolicyCompiler.CREDENTIAL_ERROR_PARAM, "litellm_credential_name " + name + " names no credential:"
                            + " add it to credential_list or create it with POST /credentials");
            case CredentialCatalog.Lookup.Unusable unusable -> deployment.putParams(
                    PolicyCompiler.CREDENTIAL_ERROR_PARAM, unusable.reason());
        }
        return kept;
    }

    /**
     * Why a deployment cannot run strict (the rules the config loader applies to
     * {@code litellm_params.exposure}), or null when it can.
     */
    private static String strictRefusal(String provider, String apiBase) {
        if (provider.equals("bedrock")) {
            return "bedrock deployments cannot keep their key in the control plane (AWS SigV4 signs each request"
                    + " with the secret key); give this deployment exposure: sidecar or use another credential";
        }
        if (ProviderOrigins.allowed(provider, apiBase).isEmpty()) {
            return "provider " + provider + " needs an api_base (an absolute http(s) URL) for the control plane to"
                    + " relay to";
        }
        return null;
    }
}
