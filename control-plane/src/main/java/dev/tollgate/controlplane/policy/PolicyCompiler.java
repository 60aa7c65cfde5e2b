package dev.tollgate.controlplane.policy;

import dev.tollgate.controlplane.keys.KeyRecord;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.RouterSettings;
import dev.tollgate.proto.control.v1.VirtualKey;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the snapshot sidecars serve from: aliases with their deployments and resolved
 * credentials, and the hashes of the live virtual keys. Thread-safe (stateless beside its stores).
 */
public final class PolicyCompiler {

    /** Deployment param that tells the sidecar why a deployment has no usable credential. */
    public static final String CREDENTIAL_ERROR_PARAM = "tollgate_credential_error";

    private final DeploymentRepository deployments;
    private final KeyRepository keys;
    private final CredentialVault vault;
    private final RouterSettings routerSettings;

    public PolicyCompiler(DeploymentRepository deployments, KeyRepository keys, CredentialVault vault) {
        this(deployments, keys, vault, RouterSettings.getDefaultInstance());
    }

    /** With the config's router settings, pushed in every snapshot. */
    public PolicyCompiler(DeploymentRepository deployments, KeyRepository keys, CredentialVault vault,
                          RouterSettings routerSettings) {
        this.deployments = deployments;
        this.keys = keys;
        this.vault = vault;
        this.routerSettings = routerSettings;
    }

    public PolicySnapshot compile(long version) throws SQLException {
        Map<String, Alias.Builder> aliases = new LinkedHashMap<>();
        for (DeploymentRepository.StoredDeployment d : deployments.all()) {
            Deployment.Builder deployment = Deployment.newBuilder()
                    .setId(d.id())
                    .setProvider(d.provider())
                    .setModel(d.model())
                    .setApiBase(d.apiBase())
                    .putAllParams(d.params());
            switch (vault.resolve(d.id())) {
                case CredentialVault.Resolution.Resolved r -> deployment.setApiKey(r.secret());
                case CredentialVault.Resolution.MissingEnv m -> deployment.putParams(CREDENTIAL_ERROR_PARAM,
                        "environment variable " + m.variable() + " (api_key: os.environ/" + m.variable()
                                + ") is not set in the control-plane process");
            }
            for (Map.Entry<String, CredentialVault.Resolution> param : vault.resolveParams(d.id()).entrySet()) {
                switch (param.getValue()) {
                    case CredentialVault.Resolution.Resolved r when param.getKey().equals("api_base") ->
                            deployment.setApiBase(r.secret());
                    case CredentialVault.Resolution.Resolved r -> deployment.putParams(param.getKey(), r.secret());
                    case CredentialVault.Resolution.MissingEnv m -> deployment.putParams(CREDENTIAL_ERROR_PARAM,
                            "environment variable " + m.variable() + " (" + param.getKey() + ": os.environ/"
                                    + m.variable() + ") is not set in the control-plane process");
                }
            }
            aliases.computeIfAbsent(d.alias(), name -> Alias.newBuilder().setName(name)).addDeployments(deployment);
        }
        PolicySnapshot.Builder snapshot = PolicySnapshot.newBuilder().setVersion(version)
                .setRouterSettings(routerSettings);
        aliases.values().forEach(snapshot::addAliases);
        for (KeyRecord key : keys.all()) {
            snapshot.addKeys(VirtualKey.newBuilder()
                    .setKeyHash(key.keyHash())
                    .setKeyId(key.id().toString())
                    .setKeyAlias(key.keyAlias().orElse(""))
                    .addAllModels(key.models())
                    .setBlocked(key.blocked())
                    .setExpiresAtMs(key.expiresAt().map(java.time.Instant::toEpochMilli).orElse(0L)));
        }
        return snapshot.build();
    }
}
