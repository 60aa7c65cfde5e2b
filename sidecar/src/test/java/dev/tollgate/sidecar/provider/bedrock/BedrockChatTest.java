package dev.tollgate.sidecar.provider.bedrock;

import static dev.tollgate.sidecar.provider.bedrock.BedrockFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bedrock Converse through the real sidecar: request translation, answers, tools, images, params. */
class BedrockChatTest {

    private static BedrockFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new BedrockFixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void reset() {
        f.reset();
    }

    @Test
    void converseAnswerBecomesOpenAiCompletionWithUsage() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", """
                {"model":"claude","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],
                 "max_tokens":100,"temperature":0.2,"top_p":0.9,"stop":"END"}""");

        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r.body());
        assertEquals("chat.completion", body.path("object").asText());
        assertEquals("chatcmpl-fake-request-0001", body.path("id").asText());
        assertEquals("assistant", body.at("/choices/0/message/role").asText());
        assertEquals("Hello from Bedrock.", body.at("/choices/0/message/content").asText());
        assertEquals("stop", body.at("/choices/0/finish_reason").asText());
        assertEquals(12, body.at("/usage/prompt_tokens").asInt());
        assertEquals(5, body.at("/usage/completion_tokens").asInt());
        assertEquals(17, body.at("/usage/total_tokens").asInt());

        FakeBedrock.Received sent = f.fake.last();
        assertEquals("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", sent.rawPath());
        assertEquals(json("[{\"text\":\"Be brief.\"}]"), sent.body().path("system"));
        assertEquals(json("[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]"), sent.body().path("messages"));
        assertEquals(json("{\"maxTokens\":100,\"temperature\":0.2,\"topP\":0.9,\"stopSequences\":[\"END\"]}"),
                sent.body().path("inferenceConfig"));
        assertEquals(12, f.usage(r).getPromptTokens());
        assertEquals(5, f.usage(r).getCompletionTokens());
    }

    @Test
    void developerAndSystemMessagesBecomeSystemBlocksAndConsecutiveTurnsMerge() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", """
                {"model":"claude","max_completion_tokens":50,"messages":[
                  {"role":"system","content":"Rule one."},
                  {"role":"developer","content":[{"type":"text","text":"Rule two."}]},
                  {"role":"user","content":"First."},
                  {"role":"user","content":[{"type":"text","text":"Second."}]},
                  {"role":"assistant","content":"Answer."},
                  {"role":"assistant","content":"More."},
                  {"role":"user","content":"Thanks."}]}""");

        assertEquals(200, r.statusCode(), r.body());
        JsonNode sent = f.fake.last().body();
        assertEquals(json("[{\"text\":\"Rule one.\"},{\"text\":\"Rule two.\"}]"), sent.path("system"));
        assertEquals(json("""
                [{"role":"user","content":[{"text":"First."},{"text":"Second."}]},
                 {"role":"assistant","content":[{"text":"Answer."},{"text":"More."}]},
                 {"role":"user","content":[{"text":"Thanks."}]}]"""), sent.path("messages"));
        assertEquals(50, sent.at("/inferenceConfig/maxTokens").asInt());
    }

    @Test
    void inferenceProfileArnIsSentAsOneEncodedPathSegment() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions",
                "{\"model\":\"claude-profile\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(BedrockFixture.PROFILE, f.fake.last().modelId());
        assertTrue(f.fake.last().rawPath().contains("inference-profile%2Fus.anthropic"), f.fake.last().rawPath());
    }

    @Test
    void temporaryCredentialsSignWithTheSessionToken() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions",
                "{\"model\":\"claude-session\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(SigV4Verifier.SESSION_TOKEN, f.fake.last().headers().get("X-amz-security-token").get(0));
    }

    @Test
    void toolsAndToolChoiceBecomeToolConfig() throws Exception {
        String tools = """
                "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather in a city",
                  "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},
                 {"type":"function","function":{"name":"now"}}]""";
        for (String[] choice : new String[][]{{"\"required\"", "{\"any\":{}}"}, {"\"auto\"", "{\"auto\":{}}"},
                {"{\"type\":\"function\",\"function\":{\"name\":\"now\"}}", "{\"tool\":{\"name\":\"now\"}}"}}) {
            HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", "{\"model\":\"claude\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"Weather?\"}]," + tools + ",\"tool_choice\":" + choice[0] + "}");

            assertEquals(200, r.statusCode(), r.body());
            JsonNode config = f.fake.last().body().path("toolConfig");
            assertEquals(json("""
                    {"toolSpec":{"name":"get_weather","description":"Weather in a city","inputSchema":{"json":
                      {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}}"""),
                    config.at("/tools/0"));
            assertEquals(json("{\"toolSpec\":{\"name\":\"now\",\"inputSchema\":{\"json\":"
                    + "{\"type\":\"object\",\"properties\":{}}}}}"), config.at("/tools/1"));
            assertEquals(json(choice[1]), config.path("toolChoice"));
        }
    }

    @Test
    void toolChoiceNoneLeavesTheToolsOut() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", """
                {"model":"claude","messages":[{"role":"user","content":"Hi"}],"tool_choice":"none",
                 "tools":[{"type":"function","function":{"name":"now"}}]}""");

        assertEquals(200, r.statusCode(), r.body());
        assertFalse(f.fake.last().body().has("toolConfig"));
    }

    @Test
    void toolUseAnswerBecomesParallelToolCalls() throws Exception {
        f.fake.answers = req -> FakeBedrock.ok("""
                {"output":{"message":{"role":"assistant","content":[
                   {"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"city":"Paris"}}},
                   {"toolUse":{"toolUseId":"tooluse_2","name":"get_weather","input":{"city":"Rome"}}}]}},
                 "stopReason":"tool_use","usage":{"inputTokens":30,"outputTokens":20,"totalTokens":50},
                 "metrics":{"latencyMs":10}}""");

        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", """
                {"model":"claude","messages":[{"role":"user","content":"Weather in Paris and Rome?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}""");

        assertEquals(200, r.statusCode(), r.body());
        JsonNode choice = json(r.body()).at("/choices/0");
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        assertTrue(choice.at("/message/content").isNull());
        JsonNode calls = choice.at("/message/tool_calls");
        assertEquals(2, calls.size());
        assertEquals("tooluse_1", calls.at("/0/id").asText());
        assertEquals("function", calls.at("/0/type").asText());
        assertEquals("get_weather", calls.at("/0/function/name").asText());
        assertEquals(json("{\"city\":\"Paris\"}"), json(calls.at("/0/function/arguments").asText()));
        assertEquals(json("{\"city\":\"Rome\"}"), json(calls.at("/1/function/arguments").asText()));
    }

    @Test
    void toolCallHistoryBecomesToolUseAndToolResultBlocks() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", """
                {"model":"claude","tools":[{"type":"function","function":{"name":"get_weather"}}],"messages":[
                  {"role":"user","content":"Weather in Paris and Rome?"},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"tooluse_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                    {"id":"tooluse_2","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
                  {"role":"tool","tool_call_id":"tooluse_1","content":"{\\"celsius\\":21}"},
                  {"role":"tool","tool_call_id":"tooluse_2","content":"sunny, 25 C"}]}""");

        assertEquals(200, r.statusCode(), r.body());
        JsonNode messages = f.fake.last().body().path("messages");
        assertEquals(3, messages.size());
        assertEquals(json("""
                {"role":"assistant","content":[
                  {"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"city":"Paris"}}},
                  {"toolUse":{"toolUseId":"tooluse_2","name":"get_weather","input":{"city":"Rome"}}}]}"""),
                messages.get(1));
        assertEquals(json("""
                {"role":"user","content":[
                  {"toolResult":{"toolUseId":"tooluse_1","content":[{"json":{"celsius":21}}]}},
                  {"toolResult":{"toolUseId":"tooluse_2","content":[{"text":"sunny, 25 C"}]}}]}"""),
                messages.get(2));
    }

    @Test
    void imagePartBecomesImageBlockWithItsBytes() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", """
                {"model":"claude","messages":[{"role":"user","content":[
                  {"type":"text","text":"What is this?"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]}""");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(json("""
                [{"text":"What is this?"},{"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}}]"""),
                f.fake.last().body().at("/messages/0/content"));
    }

    @Test
    void imageLinkIsRefusedNamingThePartWithoutCallingBedrock() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", """
                {"model":"claude","messages":[{"role":"user","content":[
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}""");

        assertEquals(400, r.statusCode(), r.body());
        assertEquals("messages[0].content[0].image_url", json(r.body()).at("/error/param").asText());
        assertTrue(f.fake.received.isEmpty());
    }

    @Test
    void unsupportedParamIs400UnlessTheDeploymentDropsParams() throws Exception {
        String request = "{\"model\":\"%s\",\"presence_penalty\":0.5,\"n\":1,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

        HttpResponse<String> refused = f.sidecar.post("/v1/chat/completions", request.formatted("claude"));
        assertEquals(400, refused.statusCode(), refused.body());
        assertEquals("unsupported_params", json(refused.body()).at("/error/code").asText());
        assertEquals("presence_penalty", json(refused.body()).at("/error/param").asText());

        HttpResponse<String> dropped = f.sidecar.post("/v1/chat/completions", request.formatted("claude-drop"));
        assertEquals(200, dropped.statusCode(), dropped.body());
        assertFalse(f.fake.last().body().toString().contains("presence_penalty"));
    }

    @Test
    void converseFieldsPassThroughAndUserBecomesRequestMetadata() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions", """
                {"model":"claude","messages":[{"role":"user","content":"Hi"}],"user":"alice",
                 "guardrailConfig":{"guardrailIdentifier":"gr-1","guardrailVersion":"1"},
                 "additionalModelRequestFields":{"top_k":40}}""");

        assertEquals(200, r.statusCode(), r.body());
        JsonNode sent = f.fake.last().body();
        assertEquals("gr-1", sent.at("/guardrailConfig/guardrailIdentifier").asText());
        assertEquals(40, sent.at("/additionalModelRequestFields/top_k").asInt());
        assertEquals("alice", sent.at("/requestMetadata/user").asText());
    }

    @Test
    void conversationBedrockRefusesIs400QuotingItsMessage() throws Exception {
        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions",
                "{\"model\":\"claude\",\"messages\":[{\"role\":\"assistant\",\"content\":\"I start.\"}]}");

        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = json(r.body()).path("error");
        assertEquals("provider_bad_request", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("A conversation must start with a user message"),
                error.toString());
    }

    @Test
    void guardrailInterventionIsContentFilter() throws Exception {
        f.fake.answers = req -> FakeBedrock.ok("""
                {"output":{"message":{"role":"assistant","content":[{"text":"Sorry, I cannot help with that."}]}},
                 "stopReason":"guardrail_intervened","usage":{"inputTokens":9,"outputTokens":7,"totalTokens":16,
                 "cacheReadInputTokens":4},"metrics":{"latencyMs":10}}""");

        HttpResponse<String> r = f.sidecar.post("/v1/chat/completions",
                "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");

        JsonNode body = json(r.body());
        assertEquals("content_filter", body.at("/choices/0/finish_reason").asText());
        assertEquals(13, body.at("/usage/prompt_tokens").asInt());
        assertEquals(4, body.at("/usage/prompt_tokens_details/cached_tokens").asInt());
        assertEquals(4, f.usage(r).getCachedTokens());
    }
}
