package dev.tollgate.sidecar.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.Json;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.OpenAiWire;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.ProviderErrors;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Sends JSON to a Google endpoint and turns a non-2xx answer into the gateway's error (see
 * {@link GoogleErrors}). Thread-safe.
 */
public final class GoogleTransport {

    static final ObjectMapper JSON = Json.mapper();

    private final HttpClient http;
    private final GoogleEndpoint endpoint;

    public GoogleTransport(HttpClient http, GoogleEndpoint endpoint) {
        this.http = http;
        this.endpoint = endpoint;
    }

    /** POSTs {@code body} and returns the parsed 2xx answer. */
    public JsonNode post(ProviderCall call, String url, ObjectNode body) {
        HttpResponse<byte[]> response = send(call, url, body, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() / 100 != 2) {
            throw GoogleErrors.fromResponse(call, response.statusCode(), response.body(), response.headers())
                    .exception();
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new GatewayError(502, "api_error", "provider_bad_response", call.target().describe()
                    + ": the provider answered " + response.statusCode() + " with a body that is not JSON").exception();
        }
    }

    /** POSTs {@code body} and returns the 2xx answer's body as a stream, for the caller to close. */
    InputStream open(ProviderCall call, String url, ObjectNode body) throws IOException {
        HttpResponse<InputStream> response = send(call, url, body, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 != 2) {
            try (InputStream in = response.body()) {
                throw GoogleErrors.fromResponse(call, response.statusCode(), in.readNBytes(64 * 1024),
                        response.headers()).exception();
            }
        }
        return response.body();
    }

    private <T> HttpResponse<T> send(ProviderCall call, String url, ObjectNode body,
                                     HttpResponse.BodyHandler<T> handler) {
        String base = endpoint.base(call);
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(url));
        } catch (IllegalArgumentException e) {
            throw new GatewayError(500, "configuration_error", "invalid_api_base", call.target().describe()
                    + ": api_base '" + base + "' is not a valid URL").exception();
        }
        request.timeout(call.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(OpenAiWire.bytes(body)));
        endpoint.authorize(call, request);
        try {
            return http.send(request.build(), handler);
        } catch (IOException e) {
            throw ProviderErrors.fromIo(call.target(), base, e).exception();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProviderErrors.fromIo(call.target(), base, e).exception();
        }
    }
}
