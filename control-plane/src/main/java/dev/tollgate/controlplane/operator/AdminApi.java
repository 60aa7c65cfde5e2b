package dev.tollgate.controlplane.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls one control plane's admin API with the master key. Thread-safe. */
final class AdminApi {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A call that did not answer 200: the status and the API's own error message. */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final String baseUrl;
    private final String masterKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminApi(String baseUrl, String masterKey) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.masterKey = masterKey;
    }

    String baseUrl() {
        return baseUrl;
    }

    JsonNode get(String pathAndQuery) throws IOException, InterruptedException, Refused {
        return send(request(pathAndQuery).GET().build());
    }

    JsonNode post(String path, JsonNode body) throws IOException, InterruptedException, Refused {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + masterKey)
                .timeout(Duration.ofSeconds(30));
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException, Refused {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new Refused(r.statusCode(), "answered " + r.statusCode() + " with a body that is not JSON");
        }
        if (r.statusCode() != 200) {
            throw new Refused(r.statusCode(), body.path("error").path("message").asText(r.body()));
        }
        return body;
    }
}
