package dev.tollgate.controlplane.policy;

import dev.tollgate.controlplane.credentials.CredentialCatalog;
import dev.tollgate.proto.control.v1.Deployment;
import java.util.Map;

/**
 * Fills a deployment from the named credential its {@code litellm_params.litellm_credential_name}
 * points at. The deployment's own {@code litellm_params} win: a credential supplies only what the
 * deployment leaves unset ({@code api_key}, {@code api_base}, and any other field as a param).
 */
final class NamedCredentials {

    /** The deployment param that names the credential (LiteLLM's name). */
    static final String PARAM = "litellm_credential_name";

    private NamedCredentials() {
    }

    static void apply(Deployment.Builder deployment, String name, CredentialCatalog.Lookup lookup) {
        switch (lookup) {
            case CredentialCatalog.Lookup.Found found -> {
                for (Map.Entry<String, String> field : found.values().entrySet()) {
                    switch (field.getKey()) {
                        case "api_key" -> {
                            if (deployment.getApiKey().isEmpty()) {
                                deployment.setApiKey(field.getValue());
                            }
                        }
                        case "api_base" -> {
                            if (deployment.getApiBase().isEmpty()) {
                                deployment.setApiBase(field.getValue());
                            }
                        }
                        default -> {
                            if (!deployment.containsParams(field.getKey())) {
                                deployment.putParams(field.getKey(), field.getValue());
                            }
                        }
                    }
                }
            }
            case CredentialCatalog.Lookup.Missing missing -> deployment.putParams(
                    PolicyCompiler.CREDENTIAL_ERROR_PARAM, "litellm_credential_name " + name + " names no credential:"
                            + " add it to credential_list or create it with POST /credentials");
            case CredentialCatalog.Lookup.Unusable unusable -> deployment.putParams(
                    PolicyCompiler.CREDENTIAL_ERROR_PARAM, unusable.reason());
        }
    }
}
