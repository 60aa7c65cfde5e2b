package dev.tollgate.controlplane.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * OAuth2 token requests: Entra ID client credentials (scope Cognitive Services) for Azure OpenAI,
 * and a Google service account's RS256-signed JWT exchanged through the JWT-bearer grant for
 * Vertex AI (scope cloud-platform). Thread-safe.
 */
public final class OAuthMinter {

    static final String AZURE_SCOPE = "https://cognitiveservices.azure.com/.default";
    static final String GOOGLE_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
    static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    /** Google accepts assertions of at most an hour. */
    static final Duration ASSERTION_LIFETIME = Duration.ofHours(1);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder URL64 = Base64.getUrlEncoder().withoutPadding();

    private final HttpClient http;
    private final Clock clock;
    private final Duration timeout;

    public OAuthMinter(HttpClient http, Clock clock, Duration timeout) {
        this.http = http;
        this.clock = clock;
        this.timeout = timeout;
    }

    MintedCredential mintAzure(MintSpec.AzureClientCredentials spec) throws MintFailure {
        String root = spec.authorityHost().toString().replaceAll("/+$", "");
        URI uri = URI.create(root + "/" + encode(spec.tenantId()) + "/oauth2/v2.0/token");
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", spec.clientId());
        form.put("client_secret", spec.clientSecret());
        form.put("scope", AZURE_SCOPE);
        Token token = post(spec, uri, form, "check tenant_id, client_id and client_secret, and that the app "
                + "registration's secret has not expired");
        return new MintedCredential("", Map.of("azure_ad_token", token.accessToken()), token.issuedAt(),
                token.expiresAt());
    }

    MintedCredential mintGoogle(MintSpec.GoogleServiceAccount spec) throws MintFailure {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", JWT_BEARER);
        form.put("assertion", assertion(spec, clock.instant()));
        Token token = post(spec, spec.tokenUri(), form, "check that the service account in vertex_credentials "
                + "exists, its key is not deleted or disabled, and the control plane's clock is right");
        return new MintedCredential(token.accessToken(), Map.of(), token.issuedAt(), token.expiresAt());
    }

    /** The signed JWT: header {@code {"alg":"RS256","typ":"JWT"}}, claims iss, scope, aud, iat, exp. */
    static String assertion(MintSpec.GoogleServiceAccount spec, Instant now) throws MintFailure {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", spec.clientEmail());
        claims.put("scope", GOOGLE_SCOPE);
        claims.put("aud", spec.tokenUri().toString());
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(ASSERTION_LIFETIME).getEpochSecond());
        try {
            String signingInput = URL64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                    + "." + URL64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(spec.privateKey());
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + URL64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException | IOException e) {
            throw new MintFailure("signing the JWT for " + spec.clientEmail() + " failed (" + e.getClass().getSimpleName()
                    + "); check the private_key of vertex_credentials");
        }
    }

    private record Token(String accessToken, Instant issuedAt, Instant expiresAt) {
        @Override
        public String toString() {
            return "Token[****, " + expiresAt + "]";
        }
    }

    private Token post(MintSpec spec, URI uri, Map<String, String> form, String whatToCheck) throws MintFailure {
        String body = form.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        Instant issuedAt = clock.instant();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new MintFailure(spec.kind() + ": token endpoint " + uri + " unreachable (" + e.getClass().getSimpleName()
                    + "); check the network path from the control plane");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MintFailure(spec.kind() + ": interrupted while calling " + uri);
        }
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            json = JSON.createObjectNode();
        }
        if (response.statusCode() != 200) {
            // error/error_description are the OAuth2 error fields; nothing else of the body is shown.
            String said = json.path("error").asText("") + (json.hasNonNull("error_description")
                    ? ": " + firstLine(json.path("error_description").asText()) : "");
            throw new MintFailure(Minter.scrub(spec.kind() + ": " + uri + " answered HTTP " + response.statusCode()
                    + (said.isEmpty() ? "" : " (" + said + ")") + "; " + whatToCheck, spec));
        }
        String accessToken = json.path("access_token").asText("");
        long expiresIn = json.path("expires_in").asLong(0); // Entra has sent it as a string too; asLong reads both
        if (accessToken.isEmpty() || expiresIn <= 0) {
            throw new MintFailure(spec.kind() + ": " + uri + " answered 200 without access_token and a positive "
                    + "expires_in; check that the URL is the token endpoint");
        }
        return new Token(accessToken, issuedAt, issuedAt.plusSeconds(expiresIn));
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        String line = nl < 0 ? text : text.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
