package dev.tollgate.sidecar.testing;

import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.proto.control.v1.VirtualKey;
import dev.tollgate.sidecar.api.ApiServer;
import dev.tollgate.sidecar.policy.Policy;
import dev.tollgate.sidecar.policy.PolicyHolder;
import dev.tollgate.sidecar.provider.ProviderCatalog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real sidecar HTTP server on a loopback port with every standard provider adapter, serving a
 * policy the test installs directly (no control plane), and recording usage in a list.
 * For provider tests: give it deployments pointing at a fake upstream, send HTTP requests.
 */
public final class TestSidecar implements AutoCloseable {

    /** The virtual key every test sidecar accepts for every alias. */
    public static final String KEY = "sk-test-virtual-key-0001";

    public final List<UsageRecord> usage = new CopyOnWriteArrayList<>();
    private final PolicyHolder policies = new PolicyHolder();
    private final ApiServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    public TestSidecar(Deployment... deployments) {
        HttpClient upstream = dev.tollgate.sidecar.upstream.UpstreamHttpClient.withDefaultTls(
                new dev.tollgate.sidecar.upstream.UpstreamHttpClient.Settings(Duration.ofSeconds(2), 256, Duration.ofSeconds(30)));
        install(snapshot(1, deployments));
        server = new ApiServer("127.0.0.1", 0, policies, ProviderCatalog.standard(upstream), usage::add,
                Clock.systemUTC(), "test-sidecar").start();
    }

    /** A deployment whose id is {@code alias#0}. */
    public static Deployment deployment(String alias, String provider, String model, String apiBase, String apiKey,
                                        Map<String, String> params) {
        return Deployment.newBuilder().setId(alias + "#0").setProvider(provider).setModel(model)
                .setApiBase(apiBase).setApiKey(apiKey).putAllParams(params).build();
    }

    /** Each deployment becomes its own alias (named by the part of its id before '#'). */
    public static PolicySnapshot snapshot(long version, Deployment... deployments) {
        PolicySnapshot.Builder b = PolicySnapshot.newBuilder().setVersion(version);
        for (Deployment d : deployments) {
            b.addAliases(Alias.newBuilder().setName(d.getId().substring(0, d.getId().indexOf('#'))).addDeployments(d));
        }
        b.addKeys(VirtualKey.newBuilder().setKeyHash(sha256(KEY)).setKeyId("00000000-0000-0000-0000-000000000001")
                .setKeyAlias("test"));
        return b.build();
    }

    public void install(PolicySnapshot snapshot) {
        policies.install(Policy.compile(snapshot));
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    /** POSTs JSON with {@code Authorization: Bearer KEY}. */
    public HttpResponse<String> post(String path, String json) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs with extra headers (e.g. x-api-key and anthropic-version for /v1/messages). */
    public HttpResponse<String> post(String path, String json, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(b::header);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
