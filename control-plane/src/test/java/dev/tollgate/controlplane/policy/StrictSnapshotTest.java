package dev.tollgate.controlplane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tollgate.controlplane.config.ConfigLoader;
import dev.tollgate.controlplane.config.GatewayConfig;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.store.TestPostgres;
import dev.tollgate.controlplane.teams.TeamRepository;
import dev.tollgate.controlplane.users.UserRepository;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.Exposure;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** A strict deployment's snapshot carries placeholders where its secrets would be; others are unchanged. */
class StrictSnapshotTest {

    private static final String CONFIG = """
            model_list:
              - model_name: strict-azure
                litellm_params:
                  model: azure/my-deployment
                  api_base: https://example-resource.openai.azure.com
                  api_version: "2024-10-21"
                  api_key: os.environ/AZURE_API_KEY
                  azure_ad_token: os.environ/AZURE_AD_TOKEN
                  exposure: control-plane
              - model_name: strict-bearer
                litellm_params:
                  model: azure/other
                  api_base: https://example-resource.openai.azure.com
                  api_key: os.environ/AZURE_BEARER
                  exposure: control-plane
              - model_name: open
                litellm_params:
                  model: openai/gpt-4o
                  api_key: os.environ/AZURE_API_KEY
            """;

    @Test
    void strictDeploymentsCarryPlaceholdersAndTheirExposure() throws Exception {
        Path file = Files.createTempFile("strict", ".yaml");
        Files.writeString(file, CONFIG);
        GatewayConfig config = ConfigLoader.load(file);
        DataSource db = TestPostgres.newDatabase().dataSource();
        DeploymentRepository deployments = new DeploymentRepository(db);
        List<String> ids = deployments.replaceConfigDeployments(config.deployments());
        CredentialVault vault = new CredentialVault(Map.of("AZURE_API_KEY", "azure-key-CANARY",
                "AZURE_AD_TOKEN", "ad-token-CANARY", "AZURE_BEARER", "Bearer entra-CANARY"));
        for (int i = 0; i < ids.size(); i++) {
            vault.put(ids.get(i), config.deployments().get(i).credential());
            vault.putParams(ids.get(i), config.deployments().get(i).secretParams());
        }
        PolicySnapshot snapshot = new PolicyCompiler(deployments, new KeyRepository(db), new TeamRepository(db),
                new UserRepository(db), vault, PriceMap.bundled()).compile(1);

        Deployment strict = deployment(snapshot, "strict-azure#0");
        assertEquals(Exposure.EXPOSURE_CONTROL_PLANE, strict.getExposure());
        assertEquals("tgcp.c3RyaWN0LWF6dXJlIzA.api_key", strict.getApiKey());
        assertEquals("tgcp.c3RyaWN0LWF6dXJlIzA.azure_ad_token", strict.getParamsOrThrow("azure_ad_token"));
        // Adapters pick the header by a "Bearer " prefix, so it stays; the relay puts back what follows it.
        assertEquals("Bearer " + StrictPlaceholders.of("strict-bearer#0", "api_key"),
                deployment(snapshot, "strict-bearer#0").getApiKey());
        assertEquals(Map.of(StrictPlaceholders.of("strict-bearer#0", "api_key"), "entra-CANARY"),
                StrictPlaceholders.substitutions("strict-bearer#0", Map.of("api_key", "Bearer entra-CANARY")));
        Deployment open = deployment(snapshot, "open#0");
        assertEquals(Exposure.EXPOSURE_SIDECAR, open.getExposure());
        assertEquals("azure-key-CANARY", open.getApiKey());
        // The doctor probes from the control plane with the real secrets.
        PolicySnapshot revealed = StrictPlaceholders.revealed(snapshot, vault);
        assertEquals("azure-key-CANARY", deployment(revealed, "strict-azure#0").getApiKey());
        assertEquals("ad-token-CANARY", deployment(revealed, "strict-azure#0").getParamsOrThrow("azure_ad_token"));
        assertEquals("Bearer entra-CANARY", deployment(revealed, "strict-bearer#0").getApiKey());
        for (var alias : snapshot.getAliasesList()) {
            if (alias.getName().startsWith("strict")) {
                assertFalse(alias.toString().contains("CANARY"), alias.toString());
            }
        }
    }

    private static Deployment deployment(PolicySnapshot snapshot, String id) {
        return snapshot.getAliasesList().stream().flatMap(a -> a.getDeploymentsList().stream())
                .filter(d -> d.getId().equals(id)).findFirst().orElseThrow();
    }
}
