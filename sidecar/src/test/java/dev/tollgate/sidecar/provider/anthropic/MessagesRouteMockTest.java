package dev.tollgate.sidecar.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sidecar's Anthropic-compatible POST /v1/messages over a mock/ deployment: shapes, streaming, auth, errors. */
class MessagesRouteMockTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the Anthropic SDK 1.x sends: a bearer token and a version this gateway has never heard of. */
    private static final Map<String, String> SDK = Map.of("Authorization", "Bearer " + TestSidecar.KEY,
            "anthropic-version", "2026-10-21");
    private static final Map<String, String> X_API_KEY = Map.of("x-api-key", TestSidecar.KEY,
            "anthropic-version", "2023-06-01");
    private static final String HELLO = "{\"model\":\"mocky\",\"max_tokens\":64,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]";
    private static TestSidecar sidecar;

    @BeforeAll
    static void start() {
        sidecar = new TestSidecar(TestSidecar.deployment("mocky", "mock", "mock-1", "", "", Map.of()));
    }

    @AfterAll
    static void stop() {
        sidecar.close();
    }

    @Test
    void mockAnswersAnAnthropicMessageForXApiKeyOrBearer() throws Exception {
        for (var headers : List.of(X_API_KEY, SDK)) {
            HttpResponse<String> r = sidecar.post("/v1/messages", HELLO + "}", headers);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode message = JSON.readTree(r.body());
            assertTrue(message.path("id").asText().startsWith("msg_"), r.body());
            assertEquals("message", message.path("type").asText());
            assertEquals("assistant", message.path("role").asText());
            assertEquals("mocky", message.path("model").asText());
            assertEquals("text", message.at("/content/0/type").asText());
            assertTrue(message.at("/content/0/text").asText().endsWith("You said: Hello there"), r.body());
            assertEquals("end_turn", message.path("stop_reason").asText());
            assertTrue(message.path("stop_sequence").isNull());
            assertTrue(message.at("/usage/input_tokens").asLong() > 0);
            assertTrue(message.at("/usage/output_tokens").asLong() > 0);
            assertEquals("mocky", r.headers().firstValue("x-tollgate-alias").orElse(""));
        }
        assertEquals(200, sidecar.post("/messages", HELLO + "}", X_API_KEY).statusCode());
    }

    @Test
    void mockStreamIsAnthropicEventsInOrder() throws Exception {
        HttpResponse<String> r = sidecar.post("/v1/messages", HELLO + ",\"stream\":true}", SDK);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("text/event-stream", r.headers().firstValue("content-type").orElse(""));
        List<Sse> events = Sse.parse(r.body());
        List<String> names = events.stream().map(Sse::name).toList();
        assertEquals(List.of("message_start", "ping", "content_block_start"), names.subList(0, 3));
        assertEquals(List.of("content_block_stop", "message_delta", "message_stop"),
                names.subList(names.size() - 3, names.size()));
        assertTrue(names.subList(3, names.size() - 3).stream().allMatch("content_block_delta"::equals), names.toString());
        StringBuilder text = new StringBuilder();
        for (Sse e : events) {
            assertEquals(e.name(), e.json().path("type").asText(), "event name and data type agree");
            if (e.name().equals("content_block_delta")) {
                assertEquals("text_delta", e.json().at("/delta/type").asText());
                text.append(e.json().at("/delta/text").asText());
            }
        }
        assertTrue(text.toString().endsWith("You said: Hello there"), text.toString());
        JsonNode start = events.get(0).json().path("message");
        assertEquals("mocky", start.path("model").asText());
        assertEquals(0, start.path("content").size());
        JsonNode delta = events.get(events.size() - 2).json();
        assertEquals("end_turn", delta.at("/delta/stop_reason").asText());
        assertTrue(delta.at("/usage/output_tokens").asLong() > 0);
        assertTrue(delta.at("/usage/input_tokens").asLong() > 0);
        assertFalse(r.body().contains("[DONE]"));
    }

    @Test
    void systemAndImageBlocksAreAcceptedAndReachTheDeployment() throws Exception {
        HttpResponse<String> r = sidecar.post("/v1/messages", """
                {"model":"mocky","max_tokens":64,"system":[{"type":"text","text":"Be brief."}],
                 "messages":[{"role":"user","content":[
                   {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                   {"type":"text","text":"What is this?"}]}]}""", X_API_KEY);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(JSON.readTree(r.body()).at("/content/0/text").asText().endsWith("What is this?"));
    }

    private static JsonNode anthropicError(HttpResponse<String> r, int status, String type) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("error", body.path("type").asText(), r.body());
        assertEquals(type, body.at("/error/type").asText(), r.body());
        assertFalse(body.at("/error/message").asText().isEmpty());
        return body.path("error");
    }

    @Test
    void missingOrUnknownKeyIs401InAnthropicShape() throws Exception {
        anthropicError(sidecar.post("/v1/messages", HELLO + "}", Map.of("anthropic-version", "2023-06-01")), 401,
                "authentication_error");
        JsonNode e = anthropicError(sidecar.post("/v1/messages", HELLO + "}", Map.of("x-api-key", "sk-nope-000000")),
                401, "authentication_error");
        assertEquals("invalid_api_key", e.path("code").asText());
    }

    @Test
    void unknownAliasIs404NotFoundError() throws Exception {
        JsonNode e = anthropicError(sidecar.post("/v1/messages", HELLO.replace("mocky", "nope") + "}", X_API_KEY), 404,
                "not_found_error");
        assertTrue(e.path("message").asText().contains("mocky"), "lists the usable aliases");
    }

    @Test
    void malformedRequestsAre400InvalidRequestError() throws Exception {
        anthropicError(sidecar.post("/v1/messages", "{\"model\":\"mocky\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hi\"}]}", X_API_KEY), 400, "invalid_request_error");
        anthropicError(sidecar.post("/v1/messages", "{\"model\":\"mocky\",\"max_tokens\":5,\"messages\":[]}",
                X_API_KEY), 400, "invalid_request_error");
        anthropicError(sidecar.post("/v1/messages", "{\"model\":\"mocky\",\"max_tokens\":5,\"messages\":"
                + "[{\"role\":\"system\",\"content\":\"Hi\"}]}", X_API_KEY), 400, "invalid_request_error");
        anthropicError(sidecar.post("/v1/messages", "{not json", X_API_KEY), 400, "invalid_request_error");
        anthropicError(sidecar.post("/v1/messages", "{\"max_tokens\":5}", X_API_KEY), 400, "invalid_request_error");
    }

    @Test
    void usageIsRecordedForTheAlias() throws Exception {
        int before = sidecar.usage.size();
        assertEquals(200, sidecar.post("/v1/messages", HELLO + "}", X_API_KEY).statusCode());
        Await.until(() -> sidecar.usage.size() > before, "the usage record");
        var record = sidecar.usage.get(sidecar.usage.size() - 1);
        assertEquals("mocky", record.getAlias());
        assertEquals(200, record.getHttpStatus());
        assertTrue(record.getCompletionTokens() > 0);
    }
}
