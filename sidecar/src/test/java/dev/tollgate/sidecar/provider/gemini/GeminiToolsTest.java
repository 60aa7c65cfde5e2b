package dev.tollgate.sidecar.provider.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sidecar.testing.SseData;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Function calling both ways between OpenAI tools and Gemini function declarations/calls/responses. */
class GeminiToolsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"Weather in a city\",\"parameters\":{\"type\":\"object\",\"additionalProperties\":false,"
            + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}},{\"type\":\"function\","
            + "\"function\":{\"name\":\"get_time\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}}]";

    private FakeGoogle google;
    private TestSidecar sidecar;

    @BeforeEach
    void start() throws Exception {
        google = new FakeGoogle(FakeGoogle.Flavor.AI_STUDIO);
        sidecar = new TestSidecar(
                TestSidecar.deployment("g", "gemini", FakeGoogle.MODEL, google.base(), FakeGoogle.API_KEY, Map.of()));
    }

    @AfterEach
    void stop() {
        sidecar.close();
        google.close();
    }

    private HttpResponse<String> chat(String fields) throws Exception {
        return sidecar.post("/v1/chat/completions", "{\"model\":\"g\"," + fields + "}");
    }

    private JsonNode sent() {
        return google.seen.get(google.seen.size() - 1).body();
    }

    @Test
    void toolsBecomeFunctionDeclarationsAndToolChoiceFunctionCallingConfig() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + TOOLS
                + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode declarations = sent().at("/tools/0/functionDeclarations");
        assertEquals(2, declarations.size());
        assertEquals("get_weather", declarations.at("/0/name").asText());
        assertEquals("Weather in a city", declarations.at("/0/description").asText());
        assertEquals("string", declarations.at("/0/parameters/properties/city/type").asText());
        assertFalse(declarations.at("/0/parameters").has("additionalProperties"));
        assertFalse(declarations.get(1).has("parameters"), "an empty OBJECT schema is refused by Gemini");
        JsonNode config = sent().at("/toolConfig/functionCallingConfig");
        assertEquals("ANY", config.path("mode").asText());
        assertEquals("get_weather", config.at("/allowedFunctionNames/0").asText());

        chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + TOOLS + ",\"tool_choice\":\"none\"");
        assertEquals("NONE", sent().at("/toolConfig/functionCallingConfig/mode").asText());
        chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + TOOLS + ",\"tool_choice\":\"required\"");
        assertEquals("ANY", sent().at("/toolConfig/functionCallingConfig/mode").asText());
    }

    @Test
    void parallelFunctionCallsBecomeToolCalls() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":\"trigger-tools\"}]," + TOOLS);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode choice = JSON.readTree(r.body()).at("/choices/0");
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        assertTrue(choice.at("/message/content").isNull());
        JsonNode calls = choice.at("/message/tool_calls");
        assertEquals(2, calls.size());
        assertEquals("function", calls.at("/0/type").asText());
        assertEquals("get_weather", calls.at("/0/function/name").asText());
        assertEquals("Paris", JSON.readTree(calls.at("/0/function/arguments").asText()).path("city").asText());
        assertEquals("get_time", calls.at("/1/function/name").asText());
        assertNotEquals(calls.at("/0/id").asText(), calls.at("/1/id").asText());
        assertTrue(calls.at("/0/id").asText().startsWith("call_"));
    }

    @Test
    void streamedFunctionCallsAreIndexedToolCallDeltas() throws Exception {
        HttpResponse<String> r = chat("\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"trigger-tools\"}],"
                + TOOLS);
        List<String> data = SseData.of(r.body());
        JsonNode delta = GeminiChatTest.parse(data.get(0)).at("/choices/0/delta");
        assertEquals("assistant", delta.path("role").asText());
        assertEquals(0, delta.at("/tool_calls/0/index").asInt());
        assertEquals(1, delta.at("/tool_calls/1/index").asInt());
        assertEquals("get_time", delta.at("/tool_calls/1/function/name").asText());
        assertEquals("tool_calls", GeminiChatTest.parse(data.get(data.size() - 2)).at("/choices/0/finish_reason")
                .asText());
    }

    @Test
    void toolResultsGoBackAsFunctionResponsesInTheFollowingUserTurn() throws Exception {
        JsonNode first = JSON.readTree(chat("\"messages\":[{\"role\":\"user\",\"content\":\"trigger-tools\"}]," + TOOLS)
                .body()).at("/choices/0/message");
        String weatherId = first.at("/tool_calls/0/id").asText();
        String timeId = first.at("/tool_calls/1/id").asText();
        String history = "\"messages\":[{\"role\":\"user\",\"content\":\"trigger-tools\"}," + first + ","
                + "{\"role\":\"tool\",\"tool_call_id\":\"" + weatherId + "\",\"content\":\"{\\\"temp_c\\\":21}\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"" + timeId + "\",\"content\":\"14:05\"},"
                + "{\"role\":\"user\",\"content\":\"and tomorrow?\"}]," + TOOLS;
        HttpResponse<String> r = chat(history);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode contents = sent().path("contents");
        assertEquals(3, contents.size(), contents.toString());
        JsonNode model = contents.get(1);
        assertEquals("model", model.path("role").asText());
        assertEquals("get_weather", model.at("/parts/0/functionCall/name").asText());
        assertEquals("Paris", model.at("/parts/0/functionCall/args/city").asText());
        assertEquals("c2lnbmF0dXJlLTE=", model.at("/parts/0/thoughtSignature").asText(),
                "the thought signature returns with its function call");
        JsonNode results = contents.get(2);
        assertEquals("user", results.path("role").asText());
        assertEquals("get_weather", results.at("/parts/0/functionResponse/name").asText());
        assertEquals(21, results.at("/parts/0/functionResponse/response/temp_c").asInt());
        assertEquals("get_time", results.at("/parts/1/functionResponse/name").asText());
        assertEquals("14:05", results.at("/parts/1/functionResponse/response/content").asText());
        assertEquals("and tomorrow?", results.at("/parts/2/text").asText());
    }

    @Test
    void toolResultForAnUnknownCallIs400NamingTheToolCallId() throws Exception {
        HttpResponse<String> r = chat("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"tool\","
                + "\"tool_call_id\":\"call_nope\",\"content\":\"x\"}]");
        assertEquals(400, r.statusCode());
        assertEquals("messages[1].tool_call_id", JSON.readTree(r.body()).at("/error/param").asText());
    }

    @Test
    void theFakeRefusesNonAlternatingRolesAsGeminiDoes() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(google.base() + "/v1beta/models/" + FakeGoogle.MODEL + ":generateContent"))
                .header("x-goog-api-key", FakeGoogle.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"a\"}]},"
                        + "{\"role\":\"user\",\"parts\":[{\"text\":\"b\"}]}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("alternate between user and model"), r.body());
    }
}
