package dev.tollgate.sdktests;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stack every SDK test drives: a control plane and a sidecar (processes) with one alias per kind
 * of upstream behaviour, a fake OpenAI upstream in this JVM, a key for every alias and a key limited to
 * {@link #MOCK_CHAT}.
 */
final class SdkStack implements AutoCloseable {

    /** Built-in mock provider: chat (streamed or not) with usage. */
    static final String MOCK_CHAT = "mock-chat";
    /** Built-in mock provider: deterministic embeddings. */
    static final String MOCK_EMBED = "mock-embed";
    /** The fake OpenAI upstream: tool calls, JSON mode, streaming. */
    static final String FAKE_CHAT = "fake-chat";
    /** The fake OpenAI upstream answering 429. */
    static final String RATE_LIMITED = "rate-limited-chat";
    /** The fake OpenAI upstream answering 500. */
    static final String BROKEN = "broken-chat";

    private static final String UPSTREAM_KEY = "sk-upstream-CANARY-5e0c1a";

    final FakeOpenAi upstream;
    final Stack stack;
    final String key;
    final String narrowKey;

    SdkStack(String name) throws Exception {
        upstream = new FakeOpenAi(UPSTREAM_KEY);
        String config = """
                model_list:
                  - model_name: %2$s
                    litellm_params:
                      model: mock/mock-chat-v1
                  - model_name: %3$s
                    litellm_params:
                      model: mock/mock-embed-v1
                  - model_name: %4$s
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: %1$s
                      api_key: os.environ/SDK_UPSTREAM_KEY
                  - model_name: %5$s
                    litellm_params:
                      model: openai/%6$s
                      api_base: %1$s
                      api_key: os.environ/SDK_UPSTREAM_KEY
                  - model_name: %7$s
                    litellm_params:
                      model: openai/%8$s
                      api_base: %1$s
                      api_key: os.environ/SDK_UPSTREAM_KEY
                general_settings:
                  master_key: os.environ/TOLLGATE_MASTER_KEY
                """.formatted(upstream.baseUrl(), MOCK_CHAT, MOCK_EMBED, FAKE_CHAT, RATE_LIMITED,
                FakeOpenAi.RATE_LIMITED_MODEL, BROKEN, FakeOpenAi.FAILING_MODEL);
        stack = new Stack(name, Files.createTempDirectory("tollgate-" + name), config,
                Map.of("SDK_UPSTREAM_KEY", UPSTREAM_KEY));
        try {
            stack.startControlPlane();
            stack.startSidecar();
            stack.awaitSidecarReady();
            key = stack.newKey("{\"key_alias\":\"" + name + "-all\"}");
            narrowKey = stack.newKey("{\"key_alias\":\"" + name + "-narrow\",\"models\":[\"" + MOCK_CHAT + "\"]}");
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** {@code http://127.0.0.1:PORT/v1}: what an OpenAI SDK takes as its base URL. */
    String openAiBaseUrl() {
        return stack.sidecarUrl() + "/v1";
    }

    /** The environment the Node SDK tests read (see sdk-tests/node/test/env.mjs). */
    Map<String, String> nodeEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TOLLGATE_SDK_BASE_URL", openAiBaseUrl());
        env.put("TOLLGATE_SDK_ROOT_URL", stack.sidecarUrl());
        env.put("TOLLGATE_SDK_KEY", key);
        env.put("TOLLGATE_SDK_NARROW_KEY", narrowKey);
        env.put("TOLLGATE_SDK_ALIAS_MOCK", MOCK_CHAT);
        env.put("TOLLGATE_SDK_ALIAS_EMBED", MOCK_EMBED);
        env.put("TOLLGATE_SDK_ALIAS_FAKE", FAKE_CHAT);
        env.put("TOLLGATE_SDK_ALIAS_RATE_LIMITED", RATE_LIMITED);
        env.put("TOLLGATE_SDK_ALIAS_BROKEN", BROKEN);
        return env;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            stack.close();
        } finally {
            upstream.close();
        }
    }
}
