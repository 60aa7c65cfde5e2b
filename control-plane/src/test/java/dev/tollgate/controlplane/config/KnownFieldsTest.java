package dev.tollgate.controlplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which LiteLLM fields refuse the start, and how the one warning about ignored fields reads. */
class KnownFieldsTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String yaml) throws IOException {
        return ConfigLoader.load(Files.writeString(dir.resolve("config.yaml"), yaml));
    }

    private String refusal(String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), yaml);
        return assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(file)).getMessage();
    }

    private static final String MODEL = """
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o
            """;

    @ParameterizedTest(name = "{0} is refused")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "include|include: [models.yaml]|copy the included files' model_list entries",
            "guardrails|guardrails: [{guardrail_name: pii}]|guardrails change or block requests",
            "general_settings.allowed_routes|general_settings: {allowed_routes: [chat/completions]}|route restrictions",
            "general_settings.custom_auth|general_settings: {custom_auth: custom_auth.user_api_key_auth}|custom Python auth",
            "general_settings.key_management_system|general_settings: {key_management_system: aws_secret_manager}|secret managers",
            "litellm_settings.max_budget|litellm_settings: {max_budget: 100}|a proxy-wide budget",
            "litellm_settings.callbacks|litellm_settings: {callbacks: [presidio]}|'presidio' is not a logging callback",
            "litellm_settings.callbacks|litellm_settings: {callbacks: custom_callbacks.proxy_handler_instance}|custom Python handler",
            "general_settings.database_url|general_settings: {database_url: 'mysql://u:secret-pw@db/x'}|stores keys and spend only in PostgreSQL",
    })
    void fieldsThatWouldChangeBehaviourRefuseTheStart(String path, String yaml, String because) throws IOException {
        String message = refusal(MODEL + yaml);
        assertTrue(message.startsWith("1 field(s) would change behaviour in ways Tollgate cannot honour"), message);
        assertTrue(message.contains("\n  " + path + ": "), message);
        assertTrue(message.contains(because), message);
        assertFalse(message.contains("secret-pw"), "a refusal never quotes a password: " + message);
    }

    @ParameterizedTest(name = "litellm_params.{0} is refused")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "mock_response|'hi'|LiteLLM answers with the mock without calling the provider",
            "vertex_credentials|/secrets/sa.json|only vertex_ai deployments mint",
            "custom_llm_provider|openai|prefix of model",
            "aws_role_name|arn:aws:iam::1:role/x|only bedrock deployments mint",
            "input_cost_per_second|0.001|only per-token prices",
    })
    void deploymentParamsThatCannotBeHonouredAreRefusedWithTheirEntry(String param, String value, String because)
            throws IOException {
        String message = refusal(MODEL + "      " + param + ": " + value + "\n");
        assertTrue(message.contains("\n  model_list[0].litellm_params." + param + ": "), message);
        assertTrue(message.contains(because), message);
    }

    @Test
    void everyRefusedFieldIsListedInOneMessage() throws IOException {
        String message = refusal(MODEL + """
                general_settings:
                  allowed_routes: [chat/completions]
                  enable_jwt_auth: true
                include: [more.yaml]
                """);
        assertTrue(message.startsWith("3 field(s) would change behaviour"), message);
        List<String> lines = message.lines().skip(1).map(String::strip).toList();
        assertEquals(3, lines.size(), message);
        assertTrue(lines.get(0).startsWith("include: "), message);
        assertTrue(lines.get(1).startsWith("general_settings.allowed_routes: "), message);
        assertTrue(lines.get(2).startsWith("general_settings.enable_jwt_auth: "), message);
    }

    @Test
    void mockParamsOnTheMockProviderAreItsOwn() throws IOException {
        GatewayConfig config = load("""
                model_list:
                  - model_name: demo
                    litellm_params:
                      model: mock/demo
                      mock_response: hello
                      mock_latency_ms: 5
                """);
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void unknownFieldsAnywhereAreIgnoredWithTheirPathInTheOneWarning() throws IOException {
        GatewayConfig config = load("""
                model_list:
                  - model_name: a
                    litellm_params: {model: openai/gpt-4o, my_custom_param: 1}
                    rpm: 10
                  - model_name: b
                    litellm_params: {model: openai/gpt-4o, my_custom_param: 2}
                general_settings:
                  master_key: sk-x
                  some_future_setting: true
                litellm_settings:
                  num_retries: 2
                  made_up: 1
                router_settings:
                  anything_goes_here: true
                surprise_section: {}
                """);
        assertEquals(1, config.warnings().size());
        assertEquals("""
                config: 6 field(s) have no effect in Tollgate and are ignored:
                  surprise_section: not a field Tollgate knows (ignored)
                  model_list[0].rpm: put per-deployment limits in litellm_params.rpm
                  model_list[0,1].litellm_params.my_custom_param: not a deployment param Tollgate reads (ignored)
                  general_settings.some_future_setting: not a field Tollgate knows (ignored)
                  router_settings.anything_goes_here: not a field Tollgate knows (ignored)
                  litellm_settings.made_up: not a field Tollgate knows (ignored)""", config.warnings().get(0));
    }

    @Test
    void tollgateOwnSectionAndHonouredFieldsGiveNoWarning() throws IOException {
        GatewayConfig config = load("""
                model_list:
                  - model_name: claude
                    litellm_params:
                      model: anthropic/claude-sonnet-4
                      api_key: os.environ/ANTHROPIC_API_KEY
                      max_tokens: 4096
                      timeout: 30
                      input_cost_per_token: 0.000003
                      output_cost_per_token: 0.000015
                general_settings:
                  master_key: os.environ/MASTER
                  database_url: postgresql://tollgate:pw@db:5432/tollgate
                litellm_settings:
                  drop_params: true
                  turn_off_message_logging: true
                environment_variables:
                  ANTHROPIC_API_KEY: sk-ant-placeholder
                tollgate:
                  sidecar_token: os.environ/TOKEN
                """);
        assertEquals(List.of(), config.warnings());
        assertEquals(new CredentialRef.Literal("postgresql://tollgate:pw@db:5432/tollgate"), config.server().databaseUrl());
    }
}
