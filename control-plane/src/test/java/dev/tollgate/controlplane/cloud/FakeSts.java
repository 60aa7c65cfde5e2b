package dev.tollgate.controlplane.cloud;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

/**
 * A fake AWS STS on loopback speaking the Query protocol: {@code Action=AssumeRole} answered with
 * an {@code AssumeRoleResponse} XML document (session credentials valid for an hour by the test's
 * clock), errors as STS's {@code ErrorResponse}. Like STS it refuses a request that is not SigV4-signed
 * (service {@code sts}) by the one caller key it knows, recomputing the signature with the AWS SDK's
 * signer over the request as received. Each issue has its own numbered credentials. Thread-safe.
 */
final class FakeSts implements AutoCloseable {

    static final String CALLER_KEY_ID = "AKIAFAKESTSCALLER001";
    static final String CALLER_SECRET = "stsCallerSecret-CANARY-0123456789abcdef";
    static final String REGION = "us-east-1";

    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, "
                    + "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final HttpServer server;
    private final Clock clock;
    private final AtomicInteger issued = new AtomicInteger();
    private final List<Map<String, String>> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile int failWith;
    private volatile Duration lifetime = Duration.ofHours(1);

    FakeSts(Clock clock) throws IOException {
        this.clock = clock;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on answer every signed request with this HTTP status (503: ServiceUnavailable); 0 recovers. */
    void failWith(int status) {
        failWith = status;
    }

    void lifetime(Duration lifetime) {
        this.lifetime = lifetime;
    }

    /** The form fields of every AssumeRole this fake answered with credentials. */
    List<Map<String, String>> accepted() {
        return accepted;
    }

    int refused() {
        return refused.get();
    }

    static String accessKeyId(int n) {
        return "ASIAMINTED%012d".formatted(n);
    }

    static String secret(int n) {
        return "mintedSessionSecret-" + n + "-0123456789abcdefghij";
    }

    static String sessionToken(int n) {
        return "FwoGZXIvYXdzEMintedSessionToken" + n + "//////////0123456789";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String problem = verify(ex, body);
            if (problem != null) {
                refused.incrementAndGet();
                send(ex, 403, error("SignatureDoesNotMatch", problem));
                return;
            }
            Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
            if (!"AssumeRole".equals(form.get("Action")) || !"2011-06-15".equals(form.get("Version"))) {
                send(ex, 400, error("InvalidAction", "Could not find operation " + form.get("Action")));
                return;
            }
            if (failWith != 0) {
                send(ex, failWith, error(failWith == 503 ? "ServiceUnavailable" : "AccessDenied",
                        "User: arn:aws:iam::123456789012:user/caller is not authorized to perform: sts:AssumeRole"));
                return;
            }
            accepted.add(form);
            int n = issued.incrementAndGet();
            String expiration = clock.instant().plus(lifetime).toString();
            send(ex, 200, """
                    <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                      <AssumeRoleResult>
                        <SourceIdentity>caller</SourceIdentity>
                        <AssumedRoleUser>
                          <Arn>arn:aws:sts::123456789012:assumed-role/bedrock-invoke/%s</Arn>
                          <AssumedRoleId>AROA3XFRBF535PLBIFPI4:%s</AssumedRoleId>
                        </AssumedRoleUser>
                        <Credentials>
                          <AccessKeyId>%s</AccessKeyId>
                          <SecretAccessKey>%s</SecretAccessKey>
                          <SessionToken>%s</SessionToken>
                          <Expiration>%s</Expiration>
                        </Credentials>
                        <PackedPolicySize>6</PackedPolicySize>
                      </AssumeRoleResult>
                      <ResponseMetadata>
                        <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
                      </ResponseMetadata>
                    </AssumeRoleResponse>
                    """.formatted(form.get("RoleSessionName"), form.get("RoleSessionName"), accessKeyId(n), secret(n),
                    sessionToken(n), expiration));
        }
    }

    /** Null when the request is signed by the caller key for sts in {@link #REGION}; else why not. */
    private static String verify(HttpExchange ex, byte[] body) {
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        Matcher m = authorization == null ? null : AUTHORIZATION.matcher(authorization);
        if (m == null || !m.matches()) {
            return "Request is missing Authentication Token";
        }
        if (!m.group(1).equals(CALLER_KEY_ID) || !m.group(3).equals(REGION) || !m.group(4).equals("sts")) {
            return "The security token included in the request is invalid.";
        }
        var signedAt = LocalDateTime.parse(String.valueOf(ex.getRequestHeaders().getFirst("X-Amz-Date")), AMZ_DATE)
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
                return "signed header " + name + " missing";
            }
            received.putHeader(name, values);
        }
        String expected = AwsV4HttpSigner.create().sign(r -> r
                        .request(received.build())
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .identity(AwsCredentialsIdentity.create(CALLER_KEY_ID, CALLER_SECRET))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sts")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, REGION)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)))
                .request().firstMatchingHeader("Authorization").orElse("");
        return expected.equals(authorization) ? null : "The request signature we calculated does not match the "
                + "signature you provided. Check your AWS Secret Access Key and signing method.";
    }

    private static String error(String code, String message) {
        return """
                <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <Error>
                    <Type>Sender</Type>
                    <Code>%s</Code>
                    <Message>%s</Message>
                  </Error>
                  <RequestId>8d5c7a2e-0000-4c6d-9f1a-000000000001</RequestId>
                </ErrorResponse>
                """.formatted(code, message);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String xml) throws IOException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/xml");
        ex.getResponseHeaders().set("x-amzn-RequestId", "8d5c7a2e-0000-4c6d-9f1a-000000000001");
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
