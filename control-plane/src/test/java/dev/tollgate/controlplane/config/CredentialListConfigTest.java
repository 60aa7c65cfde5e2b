package dev.tollgate.controlplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** LiteLLM's {@code credential_list} and {@code litellm_credential_name} in a config file. */
class CredentialListConfigTest {

    private static GatewayConfig load(String yaml) throws IOException {
        Path file = Files.createTempFile("credentials", ".yaml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file);
    }

    @Test
    void credentialListEntriesAndTheDeploymentsNamingThemLoadWithoutWarnings() throws IOException {
        GatewayConfig config = load("""
                credential_list:
                  - credential_name: azure-east
                    credential_values:
                      api_key: os.environ/AZURE_API_KEY
                      api_base: https://east.example.openai.azure.com
                      api_version: "2024-10-21"
                    credential_info:
                      description: east region
                model_list:
                  - model_name: chat
                    litellm_params:
                      model: azure/gpt-4o
                      litellm_credential_name: azure-east
                """);
        ConfigCredential c = config.credentials().get(0);
        assertEquals("azure-east", c.name());
        assertEquals(new CredentialRef.Env("AZURE_API_KEY"), c.values().get("api_key"));
        assertEquals("2024-10-21", ((CredentialRef.Literal) c.values().get("api_version")).value());
        assertTrue(c.info().contains("east region"));
        assertEquals("azure-east", config.deployments().get(0).params().get("litellm_credential_name"));
        assertTrue(config.warnings().isEmpty(), config.warnings().toString());
    }

    @Test
    void malformedEntriesAreRefusedNamingTheField() {
        ConfigLoader.ConfigException noValues = assertThrows(ConfigLoader.ConfigException.class, () -> load("""
                credential_list:
                  - credential_name: a
                """));
        assertTrue(noValues.getMessage().startsWith("credential_list[0].credential_values"), noValues.getMessage());
        ConfigLoader.ConfigException twice = assertThrows(ConfigLoader.ConfigException.class, () -> load("""
                credential_list:
                  - credential_name: a
                    credential_values: {api_key: x}
                  - credential_name: a
                    credential_values: {api_key: y}
                """));
        assertTrue(twice.getMessage().contains("appears twice"), twice.getMessage());
        ConfigLoader.ConfigException badName = assertThrows(ConfigLoader.ConfigException.class, () -> load("""
                credential_list:
                  - credential_name: "a/b"
                    credential_values: {api_key: sk-literal-secret}
                """));
        assertTrue(badName.getMessage().contains("credential_name"), badName.getMessage());
        assertFalse(badName.getMessage().contains("sk-literal-secret"));
    }
}
