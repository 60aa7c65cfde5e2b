package dev.tollgate.controlplane.config;

import java.util.List;
import java.util.Objects;

/**
 * The control plane's configuration file, parsed once at start-up.
 *
 * @param deployments  every {@code model_list} entry, in file order
 * @param masterKey    {@code general_settings.master_key} (TOLLGATE_MASTER_KEY overrides it)
 * @param sidecarToken {@code tollgate.sidecar_token}: the secret sidecars present on the control stream
 * @param warnings     fields present in the file that Tollgate does not act on, with their path
 * @param server       {@code general_settings.database_url} and {@code environment_variables}
 * @param routing      {@code router_settings} with {@code litellm_settings} as defaults
 * @param credentials  {@code credential_list}: named credentials, resolved in memory, never stored
 * @param sidecars     {@code tollgate.sidecars}: per-sidecar tokens bound to a name and a team scope
 */
public record GatewayConfig(
        List<ModelDeployment> deployments, CredentialRef masterKey, CredentialRef sidecarToken, List<String> warnings,
        ServerSettings server, RoutingSettings routing, List<ConfigCredential> credentials,
        List<SidecarEntry> sidecars) {

    public GatewayConfig {
        deployments = List.copyOf(deployments);
        credentials = List.copyOf(credentials == null ? List.of() : credentials);
        Objects.requireNonNull(masterKey, "masterKey");
        Objects.requireNonNull(sidecarToken, "sidecarToken");
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(routing, "routing");
        sidecars = List.copyOf(sidecars);
    }

    /** A config without {@code credential_list} or {@code tollgate.sidecars}. */
    public GatewayConfig(List<ModelDeployment> deployments, CredentialRef masterKey, CredentialRef sidecarToken,
                         List<String> warnings, ServerSettings server, RoutingSettings routing) {
        this(deployments, masterKey, sidecarToken, warnings, server, routing, List.of(), List.of());
    }

    /** A config without database, environment, router or litellm settings. */
    public GatewayConfig(List<ModelDeployment> deployments, CredentialRef masterKey, CredentialRef sidecarToken,
                         List<String> warnings) {
        this(deployments, masterKey, sidecarToken, warnings, ServerSettings.NONE, RoutingSettings.NONE);
    }

    public GatewayConfig(List<ModelDeployment> deployments, CredentialRef masterKey, CredentialRef sidecarToken,
                         List<String> warnings, ServerSettings server) {
        this(deployments, masterKey, sidecarToken, warnings, server, RoutingSettings.NONE);
    }

    public GatewayConfig(List<ModelDeployment> deployments, CredentialRef masterKey, CredentialRef sidecarToken,
                         List<String> warnings, RoutingSettings routing) {
        this(deployments, masterKey, sidecarToken, warnings, ServerSettings.NONE, routing);
    }
}
