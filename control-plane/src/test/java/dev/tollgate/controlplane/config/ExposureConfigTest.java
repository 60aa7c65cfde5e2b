package dev.tollgate.controlplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** litellm_params.exposure: accepted without an "ignored field" warning, checked where strict mode cannot work. */
class ExposureConfigTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String params) throws IOException {
        return ConfigLoader.load(Files.writeString(dir.resolve("config.yaml"), """
                model_list:
                  - model_name: chat
                    litellm_params:
                %s""".formatted(params.indent(6))));
    }

    private String refusal(String params) {
        return assertThrows(ConfigLoader.ConfigException.class, () -> load(params)).getMessage();
    }

    @Test
    void controlPlaneExposureIsReadWithoutAWarning() throws IOException {
        GatewayConfig config = load("model: openai/gpt-4o\napi_key: os.environ/OPENAI_API_KEY\nexposure: control-plane");
        assertEquals("control-plane", config.deployments().get(0).params().get("exposure"));
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void anUnknownExposureIsRefusedWithTheValuesItTakes() {
        String message = refusal("model: openai/gpt-4o\nexposure: controlplane");
        assertTrue(message.contains("model_list[0].litellm_params.exposure: \"controlplane\" (expected: sidecar or "
                + "control-plane)"), message);
    }

    @Test
    void bedrockCannotBeStrictBecauseSigV4NeedsTheSecret() {
        String message = refusal("model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0\nexposure: control-plane");
        assertTrue(message.contains("not supported for bedrock"), message);
        assertTrue(message.contains("use exposure: sidecar"), message);
    }

    @Test
    void aProviderWithoutAPublicEndpointNeedsAnApiBaseToBeStrict() throws IOException {
        String message = refusal("model: hosted_vllm/llama\nexposure: control-plane");
        assertTrue(message.contains("needs an api_base"), message);
        load("model: hosted_vllm/llama\napi_base: http://vllm.internal:8000/v1\nexposure: control-plane");
        load("model: hosted_vllm/llama\napi_base: os.environ/VLLM_BASE\nexposure: control-plane");
    }

    @Test
    void originsAreSchemeHostAndPortWithDefaultsMadeExplicit() {
        assertEquals(Optional.of("https://api.openai.com:443"), ProviderOrigins.allowed("openai", ""));
        assertEquals(Optional.of("http://127.0.0.1:8080"), ProviderOrigins.allowed("openai", "http://127.0.0.1:8080/v1"));
        assertEquals(Optional.of("https://example.com:443"), ProviderOrigins.origin("HTTPS://Example.COM/x?y=1"));
        assertEquals(Optional.empty(), ProviderOrigins.origin("https://user:pw@example.com/"));
        assertEquals(Optional.empty(), ProviderOrigins.origin("ftp://example.com/"));
        assertEquals(Optional.empty(), ProviderOrigins.allowed("hosted_vllm", ""));
    }
}
