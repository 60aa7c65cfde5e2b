package dev.tollgate.sidecar.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.ProviderErrors;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Sends SigV4-signed JSON POSTs to Bedrock with the sidecar's HTTP client and turns non-2xx answers into gateway
 * errors. The AWS SDK is used for signing only. Thread-safe.
 */
final class BedrockHttp {

    /** The SigV4 signing name of Bedrock Runtime (the host says bedrock-runtime, the signature says bedrock). */
    static final String SIGNING_NAME = "bedrock";
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private final HttpClient http;

    BedrockHttp(HttpClient http) {
        this.http = http;
    }

    /** POSTs {@code body} and returns the 2xx answer; any other status is thrown as the mapped gateway error. */
    HttpResponse<byte[]> post(ProviderCall call, BedrockSettings s, URI uri, byte[] body) {
        HttpResponse<byte[]> response = send(call, s, uri, body, "application/json",
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() / 100 != 2) {
            throw BedrockErrors.fromResponse(call, s, response.statusCode(), response.headers(), response.body())
                    .exception();
        }
        return response;
    }

    /** POSTs {@code body} for an eventstream answer; a non-2xx answer is read (bounded) and thrown. */
    HttpResponse<InputStream> postForStream(ProviderCall call, BedrockSettings s, URI uri, byte[] body)
            throws IOException {
        HttpResponse<InputStream> response = send(call, s, uri, body, "application/vnd.amazon.eventstream",
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 != 2) {
            byte[] error;
            try (InputStream in = response.body()) {
                error = in.readNBytes(64 * 1024);
            }
            throw BedrockErrors.fromResponse(call, s, response.statusCode(), response.headers(), error).exception();
        }
        return response;
    }

    private <T> HttpResponse<T> send(ProviderCall call, BedrockSettings s, URI uri, byte[] body, String accept,
                                     HttpResponse.BodyHandler<T> handler) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(s.timeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        signedHeaders(s, uri, body, accept).forEach((name, values) -> {
            // java.net.http sets Host itself, from the same URI that was signed.
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(value -> request.header(name, value));
            }
        });
        try {
            return http.send(request.build(), handler);
        } catch (IOException e) {
            throw ProviderErrors.fromIo(call.target(), s.endpoint(), e).exception();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProviderErrors.fromIo(call.target(), s.endpoint(), e).exception();
        }
    }

    /** The headers SigV4 requires (Authorization, X-Amz-Date, payload hash, session token) plus the signed ones. */
    static Map<String, List<String>> signedHeaders(BedrockSettings s, URI uri, byte[] body, String accept) {
        SdkHttpRequest unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(uri)
                .putHeader("Content-Type", "application/json")
                .putHeader("Accept", accept)
                .build();
        AwsCredentialsIdentity identity = s.sessionToken().isEmpty()
                ? AwsCredentialsIdentity.create(s.accessKeyId(), s.secretAccessKey())
                : AwsSessionCredentialsIdentity.create(s.accessKeyId(), s.secretAccessKey(), s.sessionToken());
        SignedRequest signed = SIGNER.sign(r -> r
                .request(unsigned)
                .payload(ContentStreamProvider.fromByteArray(body))
                .identity(identity)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                .putProperty(AwsV4HttpSigner.REGION_NAME, s.region()));
        return signed.request().headers();
    }

    /** Parses a 2xx JSON answer, or fails with provider_bad_response. */
    static JsonNode json(ProviderCall call, HttpResponse<byte[]> response) {
        try {
            JsonNode node = BedrockAdapter.JSON.readTree(response.body());
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException e) {
            // reported below
        }
        throw BedrockErrors.badResponse(call, "answered " + response.statusCode() + " with a body that is not a JSON "
                + "object").exception();
    }
}
