package dev.tollgate.sdktests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
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
 * AWS STS and Bedrock Runtime on one loopback port. STS ({@code POST /}, Query protocol
 * {@code Action=AssumeRole}) accepts only requests SigV4-signed (service {@code sts}) by the control
 * plane's caller key and answers {@code AssumeRoleResponse} XML with numbered session credentials.
 * Bedrock ({@code POST /model/{id}/converse}) accepts only requests SigV4-signed (service
 * {@code bedrock}) by session credentials STS issued, with their session token, and answers a Converse
 * response. Signatures are recomputed with the AWS SDK's signer over the request as received. Records
 * the access key id of every accepted Bedrock call. Thread-safe.
 */
final class FakeStsAndBedrock implements AutoCloseable {

    static final String REGION = "us-east-1";
    static final String CALLER_KEY_ID = "AKIAE2ECALLERKEY0001";
    static final String CALLER_SECRET = "e2eCallerSecret-CANARY-0123456789abcdef";

    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, "
                    + "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final HttpServer server;
    private final long lifetimeSeconds;
    private final AtomicInteger issued = new AtomicInteger();
    private final Map<String, AwsCredentialsIdentity> sessions = new ConcurrentHashMap<>();
    private final List<String> bedrockCallers = new CopyOnWriteArrayList<>();
    private final List<String> sessionSecrets = new CopyOnWriteArrayList<>();

    FakeStsAndBedrock(long lifetimeSeconds) throws IOException {
        this.lifetimeSeconds = lifetimeSeconds;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Access key ids that signed accepted Bedrock calls, in order. */
    List<String> bedrockCallers() {
        return bedrockCallers;
    }

    /** Session secrets and tokens issued so far (for the canary). */
    List<String> sessionSecrets() {
        return sessionSecrets;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            if (path.equals("/")) {
                sts(ex, body);
            } else if (path.startsWith("/model/") && path.endsWith("/converse")) {
                converse(ex, body);
            } else {
                send(ex, 404, "application/json", "{\"message\":\"Not Found\"}");
            }
        }
    }

    private void sts(HttpExchange ex, byte[] body) throws IOException {
        String problem = verify(ex, body, "sts", Map.of(CALLER_KEY_ID, AwsCredentialsIdentity.create(CALLER_KEY_ID,
                CALLER_SECRET)));
        Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
        if (problem != null || !"AssumeRole".equals(form.get("Action"))) {
            send(ex, 403, "text/xml", "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                    + "<Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>" + problem + "</Message></Error>"
                    + "<RequestId>e2e-1</RequestId></ErrorResponse>");
            return;
        }
        int n = issued.incrementAndGet();
        String keyId = "ASIAE2ESESSION%06d".formatted(n);
        String secret = "e2eSessionSecret-" + n + "-abcdefghijklmnop";
        String token = "FwoGZXIvYXdzE2eSessionToken" + n + "////0123456789";
        sessions.put(keyId, AwsSessionCredentialsIdentity.create(keyId, secret, token));
        sessionSecrets.add(secret);
        sessionSecrets.add(token);
        send(ex, 200, "text/xml", """
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleResult>
                    <AssumedRoleUser>
                      <Arn>arn:aws:sts::123456789012:assumed-role/bedrock-invoke/%1$s</Arn>
                      <AssumedRoleId>AROAE2EEXAMPLE:%1$s</AssumedRoleId>
                    </AssumedRoleUser>
                    <Credentials>
                      <AccessKeyId>%2$s</AccessKeyId>
                      <SecretAccessKey>%3$s</SecretAccessKey>
                      <SessionToken>%4$s</SessionToken>
                      <Expiration>%5$s</Expiration>
                    </Credentials>
                  </AssumeRoleResult>
                  <ResponseMetadata><RequestId>e2e-%6$d</RequestId></ResponseMetadata>
                </AssumeRoleResponse>
                """.formatted(form.get("RoleSessionName"), keyId, secret, token,
                Instant.now().plusSeconds(lifetimeSeconds), n));
    }

    private void converse(HttpExchange ex, byte[] body) throws IOException {
        String problem = verify(ex, body, "bedrock", sessions);
        if (problem != null) {
            ex.getResponseHeaders().set("x-amzn-ErrorType", "UnrecognizedClientException");
            send(ex, 403, "application/json", "{\"message\":\"" + problem + "\"}");
            return;
        }
        Matcher m = AUTHORIZATION.matcher(ex.getRequestHeaders().getFirst("Authorization"));
        m.matches();
        bedrockCallers.add(m.group(1));
        send(ex, 200, "application/json", """
                {"output":{"message":{"role":"assistant","content":[{"text":"hello from bedrock"}]}},
                 "stopReason":"end_turn","usage":{"inputTokens":5,"outputTokens":3,"totalTokens":8},
                 "metrics":{"latencyMs":12}}""");
    }

    /** Null when signed by one of {@code known} (with its session token, if any) for {@code service}; else why not. */
    private static String verify(HttpExchange ex, byte[] body, String service, Map<String, AwsCredentialsIdentity> known) {
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        Matcher m = authorization == null ? null : AUTHORIZATION.matcher(authorization);
        if (m == null || !m.matches()) {
            return "Missing Authentication Token";
        }
        AwsCredentialsIdentity identity = known.get(m.group(1));
        if (identity == null || !m.group(3).equals(REGION) || !m.group(4).equals(service)) {
            return "The security token included in the request is invalid.";
        }
        if (identity instanceof AwsSessionCredentialsIdentity session
                && !session.sessionToken().equals(ex.getRequestHeaders().getFirst("X-Amz-Security-Token"))) {
            return "The security token included in the request is invalid.";
        }
        Instant signedAt = LocalDateTime.parse(String.valueOf(ex.getRequestHeaders().getFirst("X-Amz-Date")), AMZ_DATE)
                .toInstant(ZoneOffset.UTC);
        SdkHttpRequest.Builder received = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(ex.getRequestMethod()))
                .protocol("http")
                .host(ex.getLocalAddress().getAddress().getHostAddress())
                .port(ex.getLocalAddress().getPort())
                .encodedPath(ex.getRequestURI().getRawPath());
        for (String name : m.group(5).split(";")) {
            List<String> values = ex.getRequestHeaders().get(name);
            if (values == null) {
                return "The request signature we calculated does not match the signature you provided.";
            }
            received.putHeader(name, values);
        }
        String expected = AwsV4HttpSigner.create().sign(r -> r
                        .request(received.build())
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .identity(identity)
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                        .putProperty(AwsV4HttpSigner.REGION_NAME, REGION)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)))
                .request().firstMatchingHeader("Authorization").orElse("");
        return expected.equals(authorization) ? null
                : "The request signature we calculated does not match the signature you provided.";
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String type, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
