package dev.tollgate.controlplane.cloud;

import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.policy.CredentialVault;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/** Wires the production minters and registers every config deployment that mints. */
public final class MintingSetup {

    /** How long one token request (STS, Entra ID, Google) may take. */
    static final Duration MINT_TIMEOUT = Duration.ofSeconds(10);

    private MintingSetup() {
    }

    /**
     * The minting component for {@code deployments} (stored as {@code ids}), with their secret
     * params resolved through {@code vault}. The control plane's own AWS keys for AssumeRole come
     * from the deployment, else {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY} in {@code env},
     * else the AWS SDK's default chain (profile, container or instance role). Nothing is minted yet.
     */
    public static CredentialMinting forDeployments(List<ModelDeployment> deployments, List<String> ids,
                                                   CredentialVault vault, Map<String, String> env, Clock clock) {
        Minter minter = Minter.of(
                new StsMinter(UrlConnectionHttpClient.create(),
                        StsMinter.fromEnvironment(env, DefaultCredentialsProvider.builder().build()), clock, MINT_TIMEOUT),
                new OAuthMinter(HttpClient.newBuilder().connectTimeout(MINT_TIMEOUT).build(), clock, MINT_TIMEOUT));
        CredentialMinting minting = new CredentialMinting(minter, clock, RefreshPolicy.STANDARD);
        for (int i = 0; i < ids.size(); i++) {
            ModelDeployment d = deployments.get(i);
            Map<String, String> resolved = new HashMap<>();
            Set<String> unresolved = new HashSet<>();
            vault.resolveParams(ids.get(i)).forEach((name, r) -> {
                switch (r) {
                    case CredentialVault.Resolution.Resolved v -> resolved.put(name, v.secret());
                    case CredentialVault.Resolution.MissingEnv m -> unresolved.add(name);
                }
            });
            MintSpecs.Parsed parsed = MintSpecs.parse(d.provider(), d.params(), resolved, unresolved);
            if (!(parsed instanceof MintSpecs.Parsed.NotMinted)
                    && ModelDeployment.EXPOSURE_CONTROL_PLANE.equals(d.params().get("exposure"))) {
                // Strict mode reveals secrets from the vault in its relay; a minted token would
                // bypass it and reach the sidecar, so the combination fails closed.
                String kind = switch (parsed) {
                    case MintSpecs.Parsed.Mints m -> m.spec().kind();
                    case MintSpecs.Parsed.Invalid invalid -> invalid.kind();
                    case MintSpecs.Parsed.NotMinted n -> throw new IllegalStateException("checked above");
                };
                parsed = new MintSpecs.Parsed.Invalid(kind, "exposure: control-plane is not "
                        + "supported with minted short-lived credentials yet; use exposure: sidecar (the default)");
            }
            minting.register(ids.get(i), parsed);
        }
        return minting;
    }
}
