package dev.tollgate.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --check-config}: what it prints and when it says the control plane would not start. */
class ConfigCheckTest {

    @TempDir
    Path dir;

    private record Result(int exit, String out) {
    }

    private Result check(String yaml, Map<String, String> env) throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), yaml);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = ConfigCheck.run(file, env, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Result(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    private static final String CONFIG = """
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_key: os.environ/OPENAI_API_KEY
              - model_name: chat
                litellm_params:
                  model: azure/gpt-4o
                  api_base: os.environ/AZURE_API_BASE
                  api_key: sk-literal-CANARY-in-file
                  api_version: "2024-10-21"
              - model_name: claude
                litellm_params:
                  model: bedrock/anthropic.claude-3-haiku
                  aws_region_name: us-east-1
                  aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
                  aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
                model_info:
                  mode: chat
            general_settings:
              master_key: os.environ/LITELLM_MASTER_KEY
            """;

    @Test
    void validConfigListsAliasesDeploymentsAndMissingVariablesAndExitsZero() throws IOException {
        Result r = check(CONFIG, Map.of("OPENAI_API_KEY", "sk-env-CANARY-value", "LITELLM_MASTER_KEY", "sk-master-CANARY",
                "AWS_ACCESS_KEY_ID", "AKIA-CANARY"));
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("Aliases (2):\n  chat  (2 deployments)\n  claude  (1 deployment)"), r.out());
        assertTrue(r.out().contains("  chat#0\n      provider openai, model gpt-4o-mini, api_base (provider default)\n"
                + "      api_key  os.environ/OPENAI_API_KEY (set)"), r.out());
        assertTrue(r.out().contains("  chat#1\n      provider azure, model gpt-4o, api_base os.environ/AZURE_API_BASE "
                + "(MISSING)\n      api_key  literal in the file"), r.out());
        assertTrue(r.out().contains("      aws_secret_access_key  os.environ/AWS_SECRET_ACCESS_KEY (MISSING)"), r.out());
        assertTrue(r.out().contains("  MISSING  AZURE_API_BASE  (chat#1 api_base)"), r.out());
        assertTrue(r.out().contains("  set      LITELLM_MASTER_KEY  (general_settings.master_key)"), r.out());
        assertTrue(r.out().contains("Database: embedded"), r.out());
        assertTrue(r.out().contains("model_list[2].model_info.mode"), "the load warning is shown: " + r.out());
        assertTrue(r.out().contains("OK: 2 alias(es), 3 deployment(s), 1 warning(s), 2 missing environment variable(s): "
                + "AZURE_API_BASE, AWS_SECRET_ACCESS_KEY"), r.out());
        assertFalse(r.out().contains("CANARY"), "no secret value is printed: " + r.out());
    }

    @Test
    void namedCredentialsAreShownWithTheVariablesTheyRead() throws IOException {
        Result r = check("""
                credential_list:
                  - credential_name: openai-prod
                    credential_values:
                      api_key: os.environ/OPENAI_PROD_KEY
                model_list:
                  - model_name: chat
                    litellm_params:
                      model: openai/gpt-4o-mini
                      litellm_credential_name: openai-prod
                  - model_name: stored
                    litellm_params:
                      model: openai/gpt-4o
                      litellm_credential_name: made-through-the-api
                general_settings:
                  master_key: sk-master
                """, Map.of());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("      credential  openai-prod (credential_list)"), r.out());
        assertTrue(r.out().contains("      credential  made-through-the-api (not in credential_list"), r.out());
        assertTrue(r.out().contains("  MISSING  OPENAI_PROD_KEY  (credential openai-prod api_key)"), r.out());
    }

    @Test
    void invalidConfigExitsOneWithTheLoadersMessage() throws IOException {
        Result r = check("model_list:\n  - model_name: chat\n    litellm_params: {model: gpt-4o}\n", Map.of());
        assertEquals(1, r.exit());
        assertTrue(r.out().contains(": INVALID\n  model_list[0].litellm_params.model: \"gpt-4o\""), r.out());
    }

    @Test
    void refusedLiteLlmFieldsExitOneListingThem() throws IOException {
        Result r = check(CONFIG + "  allowed_routes: [chat/completions]\n", Map.of());
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("general_settings.allowed_routes: route restrictions are not implemented"), r.out());
    }

    @Test
    void unresolvableMasterKeyOrDatabaseMeansTheControlPlaneWouldNotStart() throws IOException {
        Result r = check(CONFIG + "  database_url: os.environ/DATABASE_URL\n", Map.of());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("The control plane would not start with this config:\n"
                + "  general_settings.master_key refers to os.environ/LITELLM_MASTER_KEY, which is not set"), r.out());
        assertTrue(r.out().contains("general_settings.database_url refers to os.environ/DATABASE_URL, which is not set"),
                r.out());

        Result ok = check(CONFIG + "  database_url: os.environ/DATABASE_URL\n", Map.of("TOLLGATE_MASTER_KEY", "sk-m",
                "DATABASE_URL", "postgresql://app:CANARY-pw@db:5432/gateway"));
        assertEquals(0, ok.exit(), ok.out());
        assertTrue(ok.out().contains("Database: jdbc:postgresql://db:5432/gateway as app (from "
                + "general_settings.database_url (os.environ/DATABASE_URL))"), ok.out());
        assertFalse(ok.out().contains("CANARY"), ok.out());
    }

    @Test
    void environmentVariablesSectionFillsMissingVariables() throws IOException {
        Result r = check(CONFIG + "environment_variables:\n  AZURE_API_BASE: https://x.openai.azure.com\n"
                + "  AWS_SECRET_ACCESS_KEY: from-file\n", Map.of("OPENAI_API_KEY", "k", "LITELLM_MASTER_KEY", "m",
                "AWS_ACCESS_KEY_ID", "a"));
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("0 missing environment variable(s)"), r.out());
    }

    @Test
    void deploymentsThatMintSayWhichKindAndAnUnmintableOneSaysWhy() throws IOException {
        Result r = check("""
                model_list:
                  - model_name: azure-entra
                    litellm_params:
                      model: azure/gpt-4o
                      api_base: https://example-resource.openai.azure.com
                      api_version: "2024-10-21"
                      tenant_id: t-1
                      client_id: c-1
                      client_secret: os.environ/AZURE_CLIENT_SECRET
                  - model_name: vertex
                    litellm_params:
                      model: vertex_ai/gemini-2.0-flash
                      vertex_project: p
                      vertex_credentials: /nonexistent/service-account.json
                general_settings:
                  master_key: sk-literal-master
                """, Map.of("AZURE_CLIENT_SECRET", "entraSecret-CANARY-check"));
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("mints    Entra ID client credentials (short-lived credential"), r.out());
        assertTrue(r.out().contains("mints    Google service account: CANNOT MINT: vertex_credentials: cannot read "
                + "the key file /nonexistent/service-account.json"), r.out());
        assertFalse(r.out().contains("entraSecret-CANARY-check"), r.out());
    }
}
