package dev.tollgate.controlplane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.config.ConfigLoader;
import dev.tollgate.controlplane.config.GatewayConfig;
import dev.tollgate.controlplane.config.ModelDeployment;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.store.TestPostgres;
import dev.tollgate.proto.control.v1.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Credentials besides api_key (AWS keys for bedrock, ...) and os.environ/ references in any
 * litellm_param are resolved in the control plane, pushed to sidecars and never stored.
 */
class SecretParamsTest {

    private static final String CONFIG = """
            model_list:
              - model_name: claude-on-bedrock
                litellm_params:
                  model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
                  aws_region_name: us-east-1
                  aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
                  aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
              - model_name: azure-chat
                litellm_params:
                  model: azure/my-deployment
                  api_base: os.environ/AZURE_API_BASE
                  api_version: os.environ/AZURE_API_VERSION
                  api_key: os.environ/AZURE_API_KEY
            """;

    private static final String SECRET = "wJalrXUtnFEMI-CANARY-SECRET";

    @Test
    void secretAndEnvironmentParamsArePushedResolvedButNeverStored() throws Exception {
        Path file = Files.createTempFile("secret-params", ".yaml");
        Files.writeString(file, CONFIG);
        GatewayConfig config = ConfigLoader.load(file);
        ModelDeployment bedrock = config.deployments().get(0);
        assertEquals("us-east-1", bedrock.params().get("aws_region_name"));
        assertFalse(bedrock.params().containsKey("aws_secret_access_key"));
        assertTrue(bedrock.secretParams().containsKey("aws_secret_access_key"));

        DataSource db = TestPostgres.newDatabase().dataSource();
        DeploymentRepository deployments = new DeploymentRepository(db);
        List<String> ids = deployments.replaceConfigDeployments(config.deployments());
        CredentialVault vault = new CredentialVault(Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLECANARY",
                "AWS_SECRET_ACCESS_KEY", SECRET, "AZURE_API_BASE", "https://example-resource.openai.azure.com",
                "AZURE_API_KEY", "azure-key-CANARY"));
        for (int i = 0; i < ids.size(); i++) {
            vault.put(ids.get(i), config.deployments().get(i).credential());
            vault.putParams(ids.get(i), config.deployments().get(i).secretParams());
        }
        PolicyCompiler compiler = new PolicyCompiler(deployments, new KeyRepository(db),
                new dev.tollgate.controlplane.teams.TeamRepository(db), new dev.tollgate.controlplane.users.UserRepository(db),
                vault, PriceMap.bundled());
        var snapshot = compiler.compile(1);
        Deployment pushedBedrock = snapshot.getAliases(0).getName().equals("claude-on-bedrock")
                ? snapshot.getAliases(0).getDeployments(0) : snapshot.getAliases(1).getDeployments(0);
        Deployment pushedAzure = snapshot.getAliases(0).getName().equals("azure-chat")
                ? snapshot.getAliases(0).getDeployments(0) : snapshot.getAliases(1).getDeployments(0);
        assertEquals(SECRET, pushedBedrock.getParamsOrThrow("aws_secret_access_key"));
        assertEquals("https://example-resource.openai.azure.com", pushedAzure.getApiBase());
        assertTrue(pushedAzure.getParamsOrThrow(PolicyCompiler.CREDENTIAL_ERROR_PARAM).contains("AZURE_API_VERSION"));

        try (Connection c = db.getConnection();
             ResultSet rs = c.createStatement().executeQuery("select d::text from deployments d")) {
            while (rs.next()) {
                String row = rs.getString(1);
                assertFalse(row.contains(SECRET) || row.contains("AKIAEXAMPLECANARY") || row.contains("azure-key-CANARY"),
                        row);
            }
        }
    }
}
