package dev.tollgate.controlplane.policy;

import dev.tollgate.controlplane.config.CredentialRef;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Provider credentials held in the control plane's memory, by deployment id. Resolved from the
 * config's references against the control plane's environment; never written to the database.
 * Thread-safe.
 */
public final class CredentialVault {

    private final Map<String, CredentialRef> refs = new ConcurrentHashMap<>();
    private final Map<String, Map<String, CredentialRef>> paramRefs = new ConcurrentHashMap<>();
    private final Map<String, String> env;

    public CredentialVault(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public void put(String deploymentId, CredentialRef ref) {
        refs.put(deploymentId, ref);
    }

    /** Secret or environment-referenced {@code litellm_params} of a deployment (aws_secret_access_key, ...). */
    public void putParams(String deploymentId, Map<String, CredentialRef> params) {
        paramRefs.put(deploymentId, Map.copyOf(params));
    }

    /** Each secret param of the deployment, resolved or missing, by param name. */
    public Map<String, Resolution> resolveParams(String deploymentId) {
        Map<String, Resolution> out = new java.util.LinkedHashMap<>();
        paramRefs.getOrDefault(deploymentId, Map.of()).forEach((name, ref) -> out.put(name, resolve(ref)));
        return out;
    }

    /** What resolving a deployment's credential gave. */
    public sealed interface Resolution {
        record Resolved(String secret) implements Resolution {
            @Override
            public String toString() {
                return "Resolved[****]";
            }
        }

        /** The config names an environment variable that the control-plane process does not have. */
        record MissingEnv(String variable) implements Resolution {
        }
    }

    public Resolution resolve(String deploymentId) {
        return resolve(refs.getOrDefault(deploymentId, CredentialRef.NONE));
    }

    private Resolution resolve(CredentialRef ref) {
        Optional<String> value = ref.resolve(env);
        if (value.isPresent()) {
            return new Resolution.Resolved(value.get());
        }
        return new Resolution.MissingEnv(((CredentialRef.Env) ref).name());
    }
}
