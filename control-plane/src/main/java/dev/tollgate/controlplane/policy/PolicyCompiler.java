package dev.tollgate.controlplane.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.controlplane.budget.BudgetDuration;
import dev.tollgate.controlplane.budget.Limits;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.credentials.CredentialCatalog;
import dev.tollgate.controlplane.keys.KeyRecord;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.teams.TeamRecord;
import dev.tollgate.controlplane.teams.TeamRepository;
import dev.tollgate.controlplane.users.UserRecord;
import dev.tollgate.controlplane.users.UserRepository;
import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.Exposure;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.Principal;
import dev.tollgate.proto.control.v1.RouterSettings;
import dev.tollgate.proto.control.v1.VirtualKey;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the snapshot sidecars serve from: aliases with their deployments, resolved credentials
 * and effective prices (config override, else the model price map), the hashes of the live
 * virtual keys with their limits, the teams and users those keys belong to, and the router
 * settings.
 * Thread-safe (stateless beside its stores).
 */
public final class PolicyCompiler {

    /** Deployment param that tells the sidecar why a deployment has no usable credential. */
    public static final String CREDENTIAL_ERROR_PARAM = "tollgate_credential_error";

    private static final ObjectMapper METADATA = new ObjectMapper();

    private final DeploymentRepository deployments;
    private final KeyRepository keys;
    private final TeamRepository teams;
    private final UserRepository users;
    private final CredentialVault vault;
    private final PriceMap prices;
    private final RouterSettings routerSettings;
    private final Optional<CredentialCatalog> credentials;
    private final CredentialOverlay minted;

    public PolicyCompiler(DeploymentRepository deployments, KeyRepository keys, TeamRepository teams,
                          UserRepository users, CredentialVault vault, PriceMap prices) {
        this(deployments, keys, teams, users, vault, prices, RouterSettings.getDefaultInstance());
    }

    /** With the config's router settings, pushed in every snapshot. */
    public PolicyCompiler(DeploymentRepository deployments, KeyRepository keys, TeamRepository teams,
                          UserRepository users, CredentialVault vault, PriceMap prices, RouterSettings routerSettings) {
        this(deployments, keys, teams, users, vault, prices, routerSettings, CredentialOverlay.NONE, Optional.empty());
    }

    /** With minted short-lived credentials that replace the configured ones of the deployments that mint. */
    public PolicyCompiler(DeploymentRepository deployments, KeyRepository keys, TeamRepository teams,
                          UserRepository users, CredentialVault vault, PriceMap prices, RouterSettings routerSettings,
                          CredentialOverlay minted) {
        this(deployments, keys, teams, users, vault, prices, routerSettings, minted, Optional.empty());
    }

    /**
     * With minted credentials and named credentials ({@code litellm_params.litellm_credential_name})
     * looked up in {@code credentials}.
     */
    public PolicyCompiler(DeploymentRepository deployments, KeyRepository keys, TeamRepository teams,
                          UserRepository users, CredentialVault vault, PriceMap prices, RouterSettings routerSettings,
                          CredentialOverlay minted, Optional<CredentialCatalog> credentials) {
        this.minted = minted;
        this.credentials = credentials;
        this.deployments = deployments;
        this.keys = keys;
        this.teams = teams;
        this.users = users;
        this.vault = vault;
        this.prices = prices;
        this.routerSettings = routerSettings;
    }

    public PolicySnapshot compile(long version) throws SQLException {
        Map<String, Alias.Builder> aliases = new LinkedHashMap<>();
        Map<String, CredentialCatalog.Lookup> named = credentials.isPresent()
                ? credentials.get().resolveAll() : Map.of();
        Map<String, Map<String, String>> strictNamedSecrets = new LinkedHashMap<>();
        for (DeploymentRepository.StoredDeployment d : deployments.all()) {
            Map<String, String> params = new LinkedHashMap<>(d.params());
            String credentialName = params.remove(NamedCredentials.PARAM);
            CredentialCatalog.Lookup credential = credentialName == null ? null
                    : named.getOrDefault(credentialName, new CredentialCatalog.Lookup.Missing(credentialName));
            Deployment.Builder deployment = Deployment.newBuilder()
                    .setId(d.id())
                    .setProvider(d.provider())
                    .setModel(d.model())
                    .setApiBase(d.apiBase())
                    .putAllParams(prices.effectiveParams(d.provider(), d.model(), params));
            // Strict mode: the snapshot carries stand-ins, and the relay puts the secrets back in. A
            // deployment that does not say takes its credential's credential_info.exposure.
            boolean strict = ModelDeployment.EXPOSURE_CONTROL_PLANE.equals(d.params().get("exposure"))
                    || !d.params().containsKey("exposure") && NamedCredentials.wantsControlPlane(credential);
            if (strict) {
                deployment.setExposure(Exposure.EXPOSURE_CONTROL_PLANE);
            }
            switch (vault.resolve(d.id())) {
                case CredentialVault.Resolution.Resolved r -> deployment.setApiKey(
                        strict ? StrictPlaceholders.standIn(d.id(), "api_key", r.secret()) : r.secret());
                case CredentialVault.Resolution.MissingEnv m -> deployment.putParams(CREDENTIAL_ERROR_PARAM,
                        "environment variable " + m.variable() + " (api_key: os.environ/" + m.variable()
                                + ") is not set in the control-plane process");
            }
            for (Map.Entry<String, CredentialVault.Resolution> param : vault.resolveParams(d.id()).entrySet()) {
                switch (param.getValue()) {
                    case CredentialVault.Resolution.Resolved r when param.getKey().equals("api_base") ->
                            deployment.setApiBase(r.secret());
                    case CredentialVault.Resolution.Resolved r -> deployment.putParams(param.getKey(),
                            strict ? StrictPlaceholders.standIn(d.id(), param.getKey(), r.secret()) : r.secret());
                    case CredentialVault.Resolution.MissingEnv m -> deployment.putParams(CREDENTIAL_ERROR_PARAM,
                            "environment variable " + m.variable() + " (" + param.getKey() + ": os.environ/"
                                    + m.variable() + ") is not set in the control-plane process");
                }
            }
            if (credential != null) {
                Map<String, String> kept = NamedCredentials.apply(deployment, credentialName, credential, strict);
                if (!kept.isEmpty()) {
                    strictNamedSecrets.put(d.id(), kept);
                }
            }
            minted.forDeployment(d.id()).ifPresent(overlay -> applyMinted(deployment, overlay));
            aliases.computeIfAbsent(d.alias(), name -> Alias.newBuilder().setName(name)).addDeployments(deployment);
        }
        vault.replaceNamedSecrets(strictNamedSecrets);
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
                    .setExpiresAtMs(key.expiresAt().map(java.time.Instant::toEpochMilli).orElse(0L))
                    .setTeamId(key.teamId().orElse(""))
                    .setUserId(key.userId().orElse(""))
                    .setLimits(limits(key.limits()))
                    .putAllAliases(key.aliases())
                    .setDisableFallbacks(metadataFlag(key.metadata(), "disable_fallbacks"))
                    .setAllowDebug(metadataFlag(key.metadata(), "allow_debug")));
            VirtualKey.Builder added = snapshot.getKeysBuilder(snapshot.getKeysCount() - 1);
            key.modelMaxBudget().forEach((alias, l) -> added.putModelMaxBudget(alias, limits(l).build()));
        }
        for (TeamRecord team : teams.all()) {
            snapshot.addPrincipals(Principal.newBuilder().setKind("team").setId(team.id())
                    .setDisplayName(team.teamAlias().orElse(team.id())).addAllModels(team.models())
                    .setLimits(limits(team.limits())).setBlocked(team.blocked()));
        }
        for (UserRecord user : users.all()) {
            snapshot.addPrincipals(Principal.newBuilder().setKind("user").setId(user.id())
                    .setDisplayName(user.userEmail().orElse(user.id())).addAllModels(user.models())
                    .setLimits(limits(user.limits())));
        }
        return snapshot.build();
    }

    /**
     * Withholds the long-lived secrets a deployment mints from, then pushes the minted credential,
     * or the reason for its absence (the sidecar refuses the deployment's calls with it).
     */
    private static void applyMinted(Deployment.Builder deployment, CredentialOverlay.Overlay overlay) {
        overlay.withheld().forEach(deployment::removeParams);
        if (overlay.error().isPresent()) {
            deployment.putParams(CREDENTIAL_ERROR_PARAM, overlay.error().get());
            return;
        }
        deployment.putAllParams(overlay.params());
        if (!overlay.apiKey().isEmpty()) {
            deployment.setApiKey(overlay.apiKey());
        }
    }

    /**
     * A switch in a key's free-form metadata (LiteLLM's {@code metadata.disable_fallbacks}): on for
     * {@code true} or {@code "true"}; anything else, or metadata that is not a JSON object, is off.
     */
    static boolean metadataFlag(String metadata, String name) {
        try {
            JsonNode value = METADATA.readTree(metadata).path(name);
            return value.isBoolean() ? value.booleanValue() : value.isTextual() && value.asText().equalsIgnoreCase("true");
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    static dev.tollgate.proto.control.v1.Limits.Builder limits(Limits l) {
        dev.tollgate.proto.control.v1.Limits.Builder b = dev.tollgate.proto.control.v1.Limits.newBuilder()
                .setBudgetDuration(l.budgetDuration().map(BudgetDuration::text).orElse(""))
                .setBudgetAnchorMs(l.budgetAnchor().toEpochMilli());
        l.maxBudgetMicros().ifPresent(b::setMaxBudgetMicros);
        l.softBudgetMicros().ifPresent(b::setSoftBudgetMicros);
        l.rpmLimit().ifPresent(b::setRpmLimit);
        l.tpmLimit().ifPresent(b::setTpmLimit);
        l.maxParallelRequests().ifPresent(b::setMaxParallelRequests);
        return b;
    }
}
