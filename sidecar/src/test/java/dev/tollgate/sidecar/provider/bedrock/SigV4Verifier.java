package dev.tollgate.sidecar.provider.bedrock;

import com.sun.net.httpserver.HttpExchange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * What AWS does with a SigV4 request, done with the AWS SDK's signer: look the access key up, check the credential
 * scope and the session token, recompute the signature over the request as received (raw path, the headers it
 * lists as signed, the body) at its own X-Amz-Date, and compare. Refusals use AWS's error types and messages.
 */
final class SigV4Verifier {

    static final String REGION = "us-east-1";
    static final String ACCESS_KEY = "AKIAFAKEBEDROCK00001";
    static final String SECRET = "fakeSecret/0123456789+abcdefghijklmnopqrstu";
    static final String SESSION_ACCESS_KEY = "ASIAFAKEBEDROCK00002";
    static final String SESSION_SECRET = "fakeSessionSecret/0123456789+abcdefghijklm";
    static final String SESSION_TOKEN = "FwoGZXIvYXdzEFAKESESSIONTOKEN//////////0123456789";

    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, "
                    + "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final String MISMATCH = "The request signature we calculated does not match the signature you "
            + "provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for "
            + "details.";
    private static final String INVALID_TOKEN = "The security token included in the request is invalid.";

    private final Map<String, AwsCredentialsIdentity> known = Map.of(
            ACCESS_KEY, AwsCredentialsIdentity.create(ACCESS_KEY, SECRET),
            SESSION_ACCESS_KEY, AwsSessionCredentialsIdentity.create(SESSION_ACCESS_KEY, SESSION_SECRET, SESSION_TOKEN));

    /** Empty when the signature is good; otherwise AWS's refusal. */
    Optional<FakeBedrock.Json> verify(HttpExchange ex, byte[] body) {
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        if (authorization == null) {
            return refuse(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        Matcher m = AUTHORIZATION.matcher(authorization);
        if (!m.matches()) {
            return refuse(400, "IncompleteSignatureException", "Authorization header requires 'Credential', "
                    + "'Signature' and 'SignedHeaders' parameters.");
        }
        AwsCredentialsIdentity identity = known.get(m.group(1));
        if (identity == null) {
            return refuse(403, "UnrecognizedClientException", INVALID_TOKEN);
        }
        if (identity instanceof AwsSessionCredentialsIdentity session
                && !session.sessionToken().equals(ex.getRequestHeaders().getFirst("X-Amz-Security-Token"))) {
            return refuse(403, "UnrecognizedClientException", INVALID_TOKEN);
        }
        if (!m.group(3).equals(REGION)) {
            return refuse(403, "InvalidSignatureException", "Credential should be scoped to a valid region.");
        }
        if (!m.group(4).equals("bedrock")) {
            return refuse(403, "InvalidSignatureException", "Credential should be scoped to correct service: "
                    + "'bedrock'.");
        }
        Instant signedAt;
        try {
            signedAt = LocalDateTime.parse(String.valueOf(ex.getRequestHeaders().getFirst("X-Amz-Date")), AMZ_DATE)
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return refuse(400, "IncompleteSignatureException", "Authorization header requires existence of either a "
                    + "'X-Amz-Date' or a 'Date' header.");
        }
        if (Duration.between(signedAt, Instant.now()).abs().compareTo(Duration.ofMinutes(5)) > 0) {
            return refuse(403, "InvalidSignatureException", "Signature expired: " + m.group(2) + " is now earlier "
                    + "than the allowed window.");
        }
        SdkHttpRequest.Builder received = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(ex.getRequestMethod()))
                .protocol("http")
                .host(ex.getLocalAddress().getAddress().getHostAddress())
                .port(ex.getLocalAddress().getPort())
                .encodedPath(ex.getRequestURI().getRawPath());
        for (String name : m.group(5).split(";")) {
            List<String> values = ex.getRequestHeaders().get(name);
            if (values == null) {
                return refuse(403, "InvalidSignatureException", MISMATCH);
            }
            received.putHeader(name, values);
        }
        String expected = AwsV4HttpSigner.create().sign(r -> r
                        .request(received.build())
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .identity(identity)
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "bedrock")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, REGION)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)))
                .request().firstMatchingHeader("Authorization").orElse("");
        return expected.equals(authorization) ? Optional.empty() : refuse(403, "InvalidSignatureException", MISMATCH);
    }

    private static Optional<FakeBedrock.Json> refuse(int status, String type, String message) {
        return Optional.of(FakeBedrock.error(status, type, message));
    }
}
