package dev.tollgate.controlplane.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String yaml) throws IOException {
        return ConfigLoader.load(write(yaml));
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("config.yaml"), yaml);
    }

    private ConfigLoader.ConfigException refused(String yaml) throws IOException {
        Path file = write(yaml);
        return assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(file));
    }

    @Test
    void modelListEntriesBecomeDeploymentsInFileOrder() throws IOException {
        GatewayConfig config = load("""
                model_list:
                  - model_name: fast-cheap-chat
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: https://api.openai.com/v1
                      api_key: os.environ/OPENAI_API_KEY
                      api_version: "2024-06-01"
                      rpm: 60
                      stream_timeout: 2.5
                      tags: [a, b]
                  - model_name: fast-cheap-chat
                    litellm_params:
                      model: mock/demo
                  - model_name: llama
                    litellm_params:
                      model: openrouter/meta-llama/llama-3-8b
                      api_key: sk-literal-in-file
                """);

        assertEquals(3, config.deployments().size());
        ModelDeployment openai = config.deployments().get(0);
        assertAll(
                () -> assertEquals("fast-cheap-chat", openai.alias()),
                () -> assertEquals("openai", openai.provider()),
                () -> assertEquals("gpt-4o-mini", openai.model()),
                () -> assertEquals("https://api.openai.com/v1", openai.apiBase()),
                () -> assertEquals(new CredentialRef.Env("OPENAI_API_KEY"), openai.credential()),
                // model, api_base and api_key have fields of their own; the rest stay, as strings.
                () -> assertEquals(Map.of("api_version", "2024-06-01", "rpm", "60", "stream_timeout", "2.5",
                        "tags", "[\"a\",\"b\"]"), openai.params()));

        ModelDeployment mock = config.deployments().get(1);
        assertAll(
                () -> assertEquals("fast-cheap-chat", mock.alias()),
                () -> assertEquals("mock", mock.provider()),
                () -> assertEquals("demo", mock.model()),
                () -> assertEquals("", mock.apiBase()),
                () -> assertEquals(CredentialRef.NONE, mock.credential()),
                () -> assertEquals(Map.of(), mock.params()));

        ModelDeployment llama = config.deployments().get(2);
        assertAll(
                () -> assertEquals("openrouter", llama.provider(), "the provider is the part before the first slash"),
                () -> assertEquals("meta-llama/llama-3-8b", llama.model()),
                () -> assertEquals(new CredentialRef.Literal("sk-literal-in-file"), llama.credential()));
    }

    @Test
    void masterKeyAndSidecarTokenAreEnvReferencesOrLiterals() throws IOException {
        GatewayConfig literal = load("""
                general_settings:
                  master_key: sk-master-literal
                tollgate:
                  sidecar_token: os.environ/SIDECAR_TOKEN
                """);
        assertEquals(new CredentialRef.Literal("sk-master-literal"), literal.masterKey());
        assertEquals(new CredentialRef.Env("SIDECAR_TOKEN"), literal.sidecarToken());
        assertEquals(0, literal.deployments().size());

        GatewayConfig env = load("""
                general_settings:
                  master_key: os.environ/LITELLM_MASTER_KEY
                """);
        assertEquals(new CredentialRef.Env("LITELLM_MASTER_KEY"), env.masterKey());
        assertEquals(CredentialRef.NONE, env.sidecarToken(), "an absent sidecar_token means none");
    }

    @Test
    void credentialRefsResolveAgainstTheGivenEnvironment() {
        Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-from-env", "EMPTY", "");

        assertEquals(Optional.of("sk-from-env"), CredentialRef.parse("os.environ/OPENAI_API_KEY").resolve(env));
        assertEquals(Optional.empty(), CredentialRef.parse("os.environ/NOT_SET").resolve(env));
        assertEquals(Optional.empty(), CredentialRef.parse("os.environ/EMPTY").resolve(env),
                "an empty variable is as good as a missing one");
        assertEquals(Optional.of("sk-literal"), CredentialRef.parse("sk-literal").resolve(env));
        assertEquals(Optional.of(""), CredentialRef.parse(null).resolve(env));
        assertEquals(CredentialRef.NONE, CredentialRef.parse(""));
        assertEquals("os.environ/OPENAI_API_KEY", CredentialRef.parse("os.environ/OPENAI_API_KEY").describe());
        assertEquals("literal", CredentialRef.parse("sk-literal").describe());
    }

    @Test
    void literalSecretsNeverAppearInToString() throws IOException {
        String secret = "sk-never-print-me-1234";
        GatewayConfig config = load("""
                model_list:
                  - model_name: chat
                    litellm_params:
                      model: openai/gpt-4o
                      api_key: %s
                general_settings:
                  master_key: %s
                """.formatted(secret, secret));

        assertEquals(new CredentialRef.Literal(secret), config.masterKey());
        assertAll(
                () -> assertFalse(new CredentialRef.Literal(secret).toString().contains(secret)),
                () -> assertFalse(new CredentialRef.Literal(secret).describe().contains(secret)),
                () -> assertFalse(config.deployments().get(0).toString().contains(secret)),
                () -> assertFalse(config.toString().contains(secret)));
    }

    @Test
    void missingModelNameIsRefusedNamingTheEntry() throws IOException {
        ConfigLoader.ConfigException e = refused("""
                model_list:
                  - model_name: ok
                    litellm_params: {model: mock/demo}
                  - litellm_params: {model: openai/gpt-4o}
                """);
        assertTrue(e.getMessage().startsWith("model_list[1].model_name: missing"), e.getMessage());
    }

    @Test
    void missingLitellmParamsIsRefusedNamingTheField() throws IOException {
        ConfigLoader.ConfigException e = refused("""
                model_list:
                  - model_name: chat
                """);
        assertTrue(e.getMessage().startsWith("model_list[0].litellm_params: missing"), e.getMessage());
        assertTrue(e.getMessage().contains("<provider>/<model>"), e.getMessage());
    }

    @Test
    void modelWithoutProviderPrefixIsRefusedShowingTheValueAndTheExpectedShape() throws IOException {
        ConfigLoader.ConfigException e = refused("""
                model_list:
                  - model_name: chat
                    litellm_params:
                      model: gpt-4o
                """);
        assertTrue(e.getMessage().startsWith("model_list[0].litellm_params.model: \"gpt-4o\""), e.getMessage());
        assertTrue(e.getMessage().contains("expected: <provider>/<model>"), e.getMessage());
    }

    @Test
    void modelWithEmptyPartsOrMissingIsRefused() throws IOException {
        for (String model : new String[] {"openai/", "/gpt-4o"}) {
            ConfigLoader.ConfigException e = refused("""
                    model_list:
                      - model_name: chat
                        litellm_params: {model: "%s"}
                    """.formatted(model));
            assertTrue(e.getMessage().contains("litellm_params.model: \"" + model + "\""), e.getMessage());
        }
        ConfigLoader.ConfigException missing = refused("""
                model_list:
                  - model_name: chat
                    litellm_params: {api_base: "http://localhost:1"}
                """);
        assertTrue(missing.getMessage().startsWith("model_list[0].litellm_params.model: \"\""), missing.getMessage());
    }

    @Test
    void modelListThatIsNotAListIsRefused() throws IOException {
        ConfigLoader.ConfigException e = refused("""
                model_list:
                  model_name: chat
                  litellm_params: {model: openai/gpt-4o}
                """);
        assertTrue(e.getMessage().startsWith("model_list: expected a list"), e.getMessage());
    }

    @Test
    void entryThatIsNotAMappingIsRefused() throws IOException {
        ConfigLoader.ConfigException e = refused("""
                model_list:
                  - openai/gpt-4o
                """);
        assertTrue(e.getMessage().startsWith("model_list[0]: expected a mapping"), e.getMessage());
    }

    @Test
    void topLevelThatIsNotAMappingIsRefused() throws IOException {
        ConfigLoader.ConfigException e = refused("""
                - model_name: chat
                """);
        assertTrue(e.getMessage().contains("expected a YAML mapping at the top level"), e.getMessage());
    }

    @Test
    void invalidYamlIsRefusedNamingTheFile() throws IOException {
        Path file = write("model_list: [unclosed\n  - {");
        ConfigLoader.ConfigException e =
                assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(e.getMessage().startsWith("config file " + file + " is not valid YAML"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line, not the parser's whole report: " + e.getMessage());
    }

    @Test
    void missingFileIsRefusedNamingThePath() {
        Path file = dir.resolve("nope.yaml");
        ConfigLoader.ConfigException e =
                assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals("config file " + file + " does not exist or is not a file", e.getMessage());
    }

    @Test
    void emptyFileIsAnEmptyConfig() throws IOException {
        GatewayConfig config = load("");
        assertEquals(0, config.deployments().size());
        assertEquals(CredentialRef.NONE, config.masterKey());
        assertEquals(CredentialRef.NONE, config.sidecarToken());
    }

    @Test
    void envReferenceWithoutAVariableNameIsRefusedNamingTheField() throws IOException {
        ConfigLoader.ConfigException e = refused("""
                model_list:
                  - model_name: chat
                    litellm_params:
                      model: openai/gpt-4o
                      api_key: os.environ/
                """);
        assertTrue(e.getMessage().startsWith("model_list[0].litellm_params.api_key: "), e.getMessage());
        assertTrue(e.getMessage().contains("os.environ/NAME"), e.getMessage());

        ConfigLoader.ConfigException master = refused("""
                general_settings:
                  master_key: os.environ/
                """);
        assertTrue(master.getMessage().startsWith("general_settings.master_key: "), master.getMessage());
    }

    @Test
    void tollgateSidecarsAreParsedAndTheirMistakesNamed() throws IOException {
        GatewayConfig config = load("""
                tollgate:
                  sidecars:
                    - name: billing-app
                      token: os.environ/BILLING_SIDECAR_TOKEN
                      teams: [team-a, team-b]
                    - name: platform
                      token: os.environ/PLATFORM_SIDECAR_TOKEN
                """);
        assertEquals(2, config.sidecars().size());
        assertEquals(List.of("team-a", "team-b"), config.sidecars().get(0).teams());
        assertEquals(CredentialRef.parse("os.environ/BILLING_SIDECAR_TOKEN"), config.sidecars().get(0).token());
        assertEquals(List.of(), config.sidecars().get(1).teams());

        String noToken = refused("tollgate:\n  sidecars:\n    - name: x\n").getMessage();
        assertTrue(noToken.contains("tollgate.sidecars[0].token: required"), noToken);
        String twice = refused("tollgate:\n  sidecars:\n    - {name: x, token: os.environ/A}\n"
                + "    - {name: x, token: os.environ/B}\n").getMessage();
        assertTrue(twice.contains("tollgate.sidecars[1].name: 'x' appears twice"), twice);
    }
}
