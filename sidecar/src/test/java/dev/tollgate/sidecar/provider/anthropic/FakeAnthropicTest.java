package dev.tollgate.sidecar.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fake refuses what Anthropic refuses, so that adapter tests passing against it mean something. */
class FakeAnthropicTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OK_BODY = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    private static final Map<String, String> GOOD = Map.of("x-api-key", FakeAnthropic.KEY, "anthropic-version", "2023-06-01");
    private static FakeAnthropic fake;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        fake = new FakeAnthropic();
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    private static JsonNode refused(Map<String, String> headers, String body, int status, String type) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fake.base() + "/v1/messages"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), r.body());
        JsonNode json = JSON.readTree(r.body());
        assertEquals("error", json.path("type").asText());
        assertEquals(type, json.at("/error/type").asText());
        return json.path("error");
    }

    @Test
    void missingOrWrongKeyIs401AuthenticationError() throws Exception {
        refused(Map.of("anthropic-version", "2023-06-01"), OK_BODY, 401, "authentication_error");
        refused(Map.of("x-api-key", "sk-ant-other", "anthropic-version", "2023-06-01"), OK_BODY, 401,
                "authentication_error");
    }

    @Test
    void missingVersionHeaderIs400() throws Exception {
        JsonNode e = refused(Map.of("x-api-key", FakeAnthropic.KEY), OK_BODY, 400, "invalid_request_error");
        assertEquals("anthropic-version: header is required", e.path("message").asText());
    }

    @Test
    void missingMaxTokensIs400() throws Exception {
        JsonNode e = refused(GOOD, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", 400,
                "invalid_request_error");
        assertEquals("max_tokens: Field required", e.path("message").asText());
    }

    @Test
    void repeatedRoleSystemRoleAndUnknownFieldsAre400() throws Exception {
        refused(GOOD, "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                + "{\"role\":\"user\",\"content\":\"b\"}]}", 400, "invalid_request_error");
        refused(GOOD, "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"system\",\"content\":\"a\"}]}",
                400, "invalid_request_error");
        refused(GOOD, "{\"model\":\"m\",\"max_tokens\":10,\"n\":1,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}",
                400, "invalid_request_error");
    }

    @Test
    void toolUseWithoutItsResultIs400() throws Exception {
        refused(GOOD, """
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"a"},
                 {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},
                 {"role":"user","content":"b"}]}""", 400, "invalid_request_error");
    }
}
