package dev.tollgate.controlplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The LiteLLM-shaped configs in {@code src/test/resources/litellm} load unchanged: each gives the
 * aliases and deployments it names, and one warning listing exactly the fields Tollgate ignores.
 */
class LiteLlmFixturesTest {

    static GatewayConfig fixture(String name) throws IOException, URISyntaxException {
        return ConfigLoader.load(Path.of(LiteLlmFixturesTest.class.getResource("/litellm/" + name).toURI()));
    }

    /** The field paths of the one ignored-fields warning, in order ("" when there is none). */
    static List<String> ignoredPaths(GatewayConfig config) {
        List<String> warnings = config.warnings();
        assertTrue(warnings.size() <= 1, "one warning at most, listing every field: " + warnings);
        List<String> paths = new ArrayList<>();
        if (warnings.isEmpty()) {
            return paths;
        }
        String[] lines = warnings.get(0).split("\n");
        assertTrue(lines[0].startsWith("config: " + (lines.length - 1) + " field(s) have no effect in Tollgate"), lines[0]);
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            paths.add(line.substring(0, line.indexOf(": ")));
        }
        return paths;
    }

    private static String describe(ModelDeployment d) {
        return d.alias() + " -> " + d.provider() + "/" + d.model() + (d.apiBase().isEmpty() ? "" : " @ " + d.apiBase());
    }

    @Test
    void quickStartLoadsWithoutWarnings() throws Exception {
        GatewayConfig config = fixture("quick-start.yaml");
        assertEquals(List.of("gpt-4o -> openai/gpt-4o", "claude-sonnet -> anthropic/claude-3-5-sonnet-20241022"),
                config.deployments().stream().map(LiteLlmFixturesTest::describe).toList());
        assertEquals(new CredentialRef.Env("ANTHROPIC_API_KEY"), config.deployments().get(1).credential());
        assertEquals(new CredentialRef.Literal("sk-1234"), config.masterKey());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void loadBalancingGroupsDeploymentsUnderOneAliasAndWarnsOnlyAboutWhatItIgnores() throws Exception {
        GatewayConfig config = fixture("load-balancing.yaml");
        assertEquals(List.of(
                        "gpt-4o -> azure/gpt-4o-eu @ https://my-endpoint-eu.openai.azure.com/",
                        "gpt-4o -> azure/gpt-4o-ca @ https://my-endpoint-ca.openai.azure.com/",
                        "gpt-4o -> openai/gpt-4o",
                        "gpt-4o-mini -> openai/gpt-4o-mini"),
                config.deployments().stream().map(LiteLlmFixturesTest::describe).toList());
        ModelDeployment eu = config.deployments().get(0);
        assertEquals("2024-10-21", eu.params().get("api_version"));
        assertEquals("60", eu.params().get("rpm"));
        assertEquals("100000", eu.params().get("tpm"));
        assertEquals(new CredentialRef.Env("OPENAI_ORG_ID"), config.deployments().get(2).secretParams().get("organization"));
        // The router reads its router_settings fields; the Redis ones (LiteLLM's shared state) are ignored.
        assertEquals(List.of("model_list[0,1].model_info.id", "model_list[0].model_info.base_model",
                "model_list[1].litellm_params.max_retries", "model_list[3].litellm_params.temperature",
                "router_settings.redis_host", "router_settings.redis_port", "router_settings.redis_password"),
                ignoredPaths(config));
        assertTrue(config.warnings().get(0).contains("model_list[3].litellm_params.temperature: request defaults in "
                + "litellm_params are not merged into requests; send temperature in the request"), config.warnings().get(0));
    }

    @Test
    void providerPagesLoadEachProviderWithItsOwnParams() throws Exception {
        GatewayConfig config = fixture("providers.yaml");
        assertEquals(List.of(
                        "azure-gpt -> azure/my-gpt-4o-deployment",
                        "bedrock-claude -> bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
                        "bedrock-titan-embed -> bedrock/amazon.titan-embed-text-v2:0",
                        "vertex-gemini -> vertex_ai/gemini-1.5-pro",
                        "gemini-flash -> gemini/gemini-2.0-flash",
                        "groq-llama -> groq/llama-3.1-8b-instant",
                        "local-llama -> ollama/llama3.1 @ http://localhost:11434",
                        "vllm-model -> hosted_vllm/facebook/opt-125m @ http://localhost:8000/v1",
                        "text-embedding -> openai/text-embedding-3-small",
                        "priced-chat -> openai/gpt-4o-mini",
                        "hf-model -> huggingface/mistralai/Mistral-7B-Instruct-v0.3"),
                config.deployments().stream().map(LiteLlmFixturesTest::describe).toList());
        ModelDeployment azure = config.deployments().get(0);
        assertEquals(new CredentialRef.Env("AZURE_API_BASE"), azure.secretParams().get("api_base"));
        assertEquals(new CredentialRef.Env("AZURE_API_VERSION"), azure.secretParams().get("api_version"));
        ModelDeployment bedrock = config.deployments().get(1);
        assertEquals("us-east-1", bedrock.params().get("aws_region_name"));
        assertEquals(new CredentialRef.Env("AWS_SECRET_ACCESS_KEY"), bedrock.secretParams().get("aws_secret_access_key"));
        assertEquals(Map.of("vertex_project", "my-gcp-project", "vertex_location", "us-central1"),
                config.deployments().get(3).params());
        // A price LiteLLM takes from model_info reaches the sidecar as a deployment param.
        assertEquals("2.0E-8", config.deployments().get(8).params().get("input_cost_per_token"));
        assertEquals("6.0E-7", config.deployments().get(9).params().get("output_cost_per_token"));
        assertEquals(List.of("model_list[2,8,9].model_info.mode", "model_list[8].model_info.base_model",
                "model_list[9].model_info.id", "model_list[9].model_info.max_tokens",
                "model_list[9].model_info.supports_function_calling", "model_list[9].model_info.supports_vision",
                "model_list[10].litellm_params.model"), ignoredPaths(config));
        assertTrue(config.warnings().get(0).contains("provider prefix 'huggingface' is not one the sidecar serves"),
                config.warnings().get(0));
    }

    @Test
    void proxySettingsHonourDatabaseAndEnvironmentAndListWhatTheyIgnore() throws Exception {
        GatewayConfig config = fixture("proxy-settings.yaml");
        assertEquals(new CredentialRef.Env("DATABASE_URL"), config.server().databaseUrl());
        assertEquals("localhost", config.server().environment().get("REDIS_HOST"));
        assertEquals("sk-from-file", config.server().effectiveEnvironment(Map.of("OPENAI_API_KEY", "sk-from-file"))
                .get("OPENAI_API_KEY"), "the process environment wins over environment_variables");
        assertEquals("sk-from-environment-variables-section",
                config.server().effectiveEnvironment(Map.of()).get("OPENAI_API_KEY"));
        assertEquals(List.of(
                        "general_settings.database_connection_pool_limit",
                        "general_settings.proxy_batch_write_at", "general_settings.store_model_in_db",
                        "general_settings.alerting", "general_settings.alerting_threshold",
                        "general_settings.background_health_checks", "general_settings.health_check_interval",
                        "litellm_settings.success_callback", "litellm_settings.failure_callback",
                        "litellm_settings.set_verbose", "litellm_settings.json_logs", "litellm_settings.cache",
                        "litellm_settings.cache_params", "litellm_settings.callbacks", "litellm_settings.callbacks",
                        "environment_variables.REDIS_HOST", "environment_variables.REDIS_PORT",
                        "environment_variables.LANGFUSE_PUBLIC_KEY"),
                ignoredPaths(config));
        assertTrue(config.warnings().get(0).contains("litellm_settings.callbacks: 'prometheus' does not run"));
        assertTrue(!config.toString().contains("sk-from-environment-variables-section"), "environment values are secrets");
    }

    @Test
    void openAiCompatibleConfigLoadsWithItsBaseUrlFromTheEnvironment() throws Exception {
        GatewayConfig config = fixture("openai-compatible.yaml");
        assertEquals(List.of("my-chat -> openai/gpt-4o-mini", "my-chat-mocked -> mock/my-chat-mocked",
                "my-embed -> mock/my-embed"), config.deployments().stream().map(LiteLlmFixturesTest::describe).toList());
        assertEquals(new CredentialRef.Env("OPENAI_COMPATIBLE_API_BASE"),
                config.deployments().get(0).secretParams().get("api_base"));
        assertEquals(List.of("model_list[0].model_info.id", "model_list[0,2].model_info.mode",
                "litellm_settings.success_callback"), ignoredPaths(config));
    }
}
