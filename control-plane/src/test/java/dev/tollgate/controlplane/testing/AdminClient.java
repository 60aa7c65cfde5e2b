package dev.tollgate.controlplane.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls a control plane's admin API with the master key. */
public final class AdminClient {

    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final String masterKey;

    public AdminClient(int port, String masterKey) {
        this.base = "http://127.0.0.1:" + port;
        this.masterKey = masterKey;
    }

    /** A response: status and JSON body. */
    public record Reply(int status, JsonNode body) {
        public JsonNode ok() {
            if (status != 200) {
                throw new AssertionError("expected 200, got " + status + ": " + body);
            }
            return body;
        }
    }

    public Reply post(String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Reply patch(String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).method("PATCH",
                HttpRequest.BodyPublishers.ofString(json)));
    }

    public Reply delete(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    public Reply get(String pathAndQuery) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET());
    }

    private Reply send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = client.send(b.header("Authorization", "Bearer " + masterKey)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
    }
}
