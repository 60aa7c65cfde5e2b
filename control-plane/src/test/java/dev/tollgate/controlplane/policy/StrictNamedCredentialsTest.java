package dev.tollgate.controlplane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.config.ConfigCredential;
import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.credentials.CredentialCatalog;
import dev.tollgate.controlplane.credentials.CredentialRepository;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.secrets.KeyRing;
import dev.tollgate.controlplane.store.TestPostgres;
import dev.tollgate.controlplane.teams.TeamRepository;
import dev.tollgate.controlplane.users.UserRepository;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.Exposure;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.RouterSettings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A credential whose {@code credential_info.exposure} is {@code control-plane} makes the deployments
 * that name it strict (unless they say otherwise): the snapshot carries stand-ins, and the real
 * secrets stay in the control plane for the relay and the doctor.
 */
class StrictNamedCredentialsTest {

    private static final String SECRET = "sk-proj-CANARY-strict-named-5e6f";
    private static final String AWS_SECRET = "aws-secret-CANARY-strict-7g8h";

    @Test
    void aStrictCredentialIsPushedAsStandInsAndKeptForTheRelay() throws Exception {
        DataSource db = TestPostgres.newDatabase().dataSource();
        ConfigCredential strict = new ConfigCredential("openai-strict", Map.of("api_key",
                new CredentialRef.Literal(SECRET), "api_base", new CredentialRef.Literal("https://llm.example.test/v1")),
                "{\"exposure\":\"control-plane\"}");
        ConfigCredential aws = new ConfigCredential("aws-strict", Map.of("aws_access_key_id",
                new CredentialRef.Literal("AKIAEXAMPLE"), "aws_secret_access_key", new CredentialRef.Literal(AWS_SECRET)),
                "{\"exposure\":\"control-plane\"}");
        ConfigCredential plain = new ConfigCredential("openai-plain", Map.of("api_key",
                new CredentialRef.Literal(SECRET)), "{}");
        List<ModelDeployment> config = List.of(
                deployment("inherits", "openai", "openai-strict", Map.of()),
                deployment("says-sidecar", "openai", "openai-strict", Map.of("exposure", "sidecar")),
                deployment("bedrock", "bedrock", "aws-strict", Map.of("aws_region_name", "us-east-1")),
                deployment("plain", "openai", "openai-plain", Map.of()));
        DeploymentRepository deployments = new DeploymentRepository(db);
        deployments.replaceConfigDeployments(config);
        CredentialVault vault = new CredentialVault(Map.of());
        CredentialCatalog catalog = new CredentialCatalog(new CredentialRepository(db), KeyRing.empty(),
                List.of(strict, aws, plain), Map.of());
        PolicySnapshot snapshot = new PolicyCompiler(deployments, new KeyRepository(db), new TeamRepository(db),
                new UserRepository(db), vault, PriceMap.bundled(), RouterSettings.getDefaultInstance(),
                CredentialOverlay.NONE, Optional.of(catalog)).compile(1);

        Deployment inherits = deployment(snapshot, "inherits");
        assertEquals(Exposure.EXPOSURE_CONTROL_PLANE, inherits.getExposure());
        assertEquals(StrictPlaceholders.of("inherits#0", "api_key"), inherits.getApiKey());
        assertEquals("https://llm.example.test/v1", inherits.getApiBase(), "api_base is no secret: the relay checks it");
        assertEquals(Map.of("api_key", SECRET), vault.secretsOf("inherits#0"));
        assertEquals(SECRET, deployment(StrictPlaceholders.revealed(snapshot, vault), "inherits").getApiKey());

        Deployment saysSidecar = deployment(snapshot, "says-sidecar");
        assertEquals(SECRET, saysSidecar.getApiKey(), "the deployment's own exposure wins");
        assertTrue(vault.secretsOf("says-sidecar#0").isEmpty());

        Deployment bedrock = deployment(snapshot, "bedrock");
        assertTrue(bedrock.getParamsOrThrow(PolicyCompiler.CREDENTIAL_ERROR_PARAM).contains("bedrock"),
                bedrock.toString().replace(AWS_SECRET, "?"));
        assertFalse(bedrock.getParamsMap().containsValue(AWS_SECRET), "refused, the secret is not pushed instead");

        assertEquals(SECRET, deployment(snapshot, "plain").getApiKey());
        assertEquals(Exposure.EXPOSURE_SIDECAR, deployment(snapshot, "plain").getExposure());
        assertEquals(Exposure.EXPOSURE_SIDECAR, saysSidecar.getExposure());

        PolicySnapshot strictOnly = snapshot.toBuilder().clearAliases().addAllAliases(snapshot.getAliasesList().stream()
                .filter(a -> a.getName().equals("inherits") || a.getName().equals("bedrock")).toList()).build();
        String pushed = new String(strictOnly.toByteArray(), StandardCharsets.ISO_8859_1);
        assertFalse(pushed.contains(SECRET) || pushed.contains(AWS_SECRET), "no strict secret in the pushed bytes");
    }

    private static ModelDeployment deployment(String alias, String provider, String credential,
                                              Map<String, String> more) {
        Map<String, String> params = new java.util.LinkedHashMap<>(more);
        params.put("litellm_credential_name", credential);
        return new ModelDeployment(alias, provider, "some-model", "", CredentialRef.NONE, params);
    }

    private static Deployment deployment(PolicySnapshot snapshot, String alias) {
        return snapshot.getAliasesList().stream().filter(a -> a.getName().equals(alias)).findFirst().orElseThrow()
                .getDeployments(0);
    }
}
