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
    /** Secrets strict deployments take from named credentials, by deployment id; replaced at each compile. */
    private volatile Map<String, Map<String, String>> named = Map.of();

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

    /**
     * Replaces the secrets that strict deployments ({@code exposure: control-plane}) take from named
     * credentials: the policy compiler sets them, with their stand-ins in the snapshot, at each compile.
     */
    public void replaceNamedSecrets(Map<String, Map<String, String>> byDeployment) {
        Map<String, Map<String, String>> copy = new java.util.HashMap<>();
        byDeployment.forEach((id, secrets) -> copy.put(id, Map.copyOf(secrets)));
        named = Map.copyOf(copy);
    }

    /**
     * Every resolved secret of a deployment by field ({@code api_key}, {@code aws_secret_access_key},
     * ...; never {@code api_base}): those of its named credential, overridden by its own. What the
     * relay and the doctor put back in place of a strict deployment's stand-ins. Empty values are
     * left out.
     */
    public Map<String, String> secretsOf(String deploymentId) {
        Map<String, String> out = new java.util.LinkedHashMap<>(named.getOrDefault(deploymentId, Map.of()));
        if (resolve(deploymentId) instanceof Resolution.Resolved r && !r.secret().isEmpty()) {
            out.put("api_key", r.secret());
        }
        resolveParams(deploymentId).forEach((field, resolution) -> {
            if (!field.equals("api_base") && resolution instanceof Resolution.Resolved r && !r.secret().isEmpty()) {
                out.put(field, r.secret());
            }
        });
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
