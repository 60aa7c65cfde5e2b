package dev.tollgate.sidecar.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.RouterSettings;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.proto.control.v1.VirtualKey;
import dev.tollgate.sidecar.api.ApiServer;
import dev.tollgate.sidecar.policy.Policy;
import dev.tollgate.sidecar.policy.PolicyHolder;
import dev.tollgate.sidecar.limits.LeaseBook;
import dev.tollgate.sidecar.limits.Limiter;
import dev.tollgate.sidecar.provider.ProviderCatalog;
import dev.tollgate.sidecar.provider.UpstreamDebug;
import dev.tollgate.sidecar.telemetry.Metrics;
import dev.tollgate.sidecar.telemetry.RequestObserver;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;

/**
 * A real sidecar on loopback whose router has a test clock, a seeded random source and a pause that
 * records its waits instead of sleeping; its policy has aliases with several deployments on a
 * {@link FaultyOpenAi}, and router settings. Deployment ids are {@code <alias>#<upstream>}.
 */
final class RoutedSidecar implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String STREAM = "{\"model\":\"%s\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    final TestClock clock = new TestClock(Instant.parse("2026-11-24T12:00:00Z"));
    final List<Duration> pauses = new CopyOnWriteArrayList<>();
    final List<UsageRecord> usage = new CopyOnWriteArrayList<>();
    private final PolicyHolder policies = new PolicyHolder();
    private final ApiServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private RoutedSidecar(PolicySnapshot snapshot, RandomGenerator random, UpstreamDebug.Mode debug) {
        policies.install(Policy.compile(snapshot));
        HttpClient upstream = dev.tollgate.sidecar.upstream.UpstreamHttpClient.withDefaultTls(
                new dev.tollgate.sidecar.upstream.UpstreamHttpClient.Settings(Duration.ofSeconds(2), 256, Duration.ofSeconds(30)));
        Router router = new Router(ProviderCatalog.standard(upstream), clock, random, d -> pauses.add(d));
        server = new ApiServer("127.0.0.1", 0, policies, router, usage::add, clock, "routing-test",
                new Limiter(new LeaseBook(clock)), new Metrics(), RequestObserver.LogFormat.TEXT, debug).start();
    }

    static Builder on(FaultyOpenAi upstream) {
        return new Builder(upstream);
    }

    /** Aliases, their deployments and the router settings of the test policy. */
    static final class Builder {
        private final FaultyOpenAi upstream;
        private final Map<String, List<Deployment>> aliases = new LinkedHashMap<>();
        private final RouterSettings.Builder settings = RouterSettings.newBuilder();
        private RandomGenerator random = new Random(42);
        private final List<VirtualKey> keys = new ArrayList<>();
        private UpstreamDebug.Mode debug = UpstreamDebug.Mode.WHEN_KEY_ALLOWS;

        private Builder(FaultyOpenAi upstream) {
            this.upstream = upstream;
        }

        /** Deployment {@code alias#upstreamName} on the fake upstream {@code upstreamName}, with litellm_params. */
        Builder deployment(String alias, String upstreamName, String... params) {
            Deployment.Builder d = Deployment.newBuilder().setId(alias + "#" + upstreamName).setProvider("openai")
                    .setModel(upstreamName).setApiBase(upstream.base(upstreamName)).setApiKey(FaultyOpenAi.KEY);
            for (int i = 0; i < params.length; i += 2) {
                d.putParams(params[i], params[i + 1]);
            }
            aliases.computeIfAbsent(alias, a -> new ArrayList<>()).add(d.build());
            return this;
        }

        /** The router's random source (default: java.util.Random seeded with 42). */
        Builder random(RandomGenerator random) {
            this.random = random;
            return this;
        }

        /** Another virtual key, {@code text}, as the control plane would push it after {@code edit}. */
        Builder key(String text, java.util.function.Consumer<VirtualKey.Builder> edit) {
            VirtualKey.Builder k = VirtualKey.newBuilder().setKeyHash(TestSidecar.sha256(text))
                    .setKeyId("00000000-0000-0000-0000-0000000000" + String.format("%02d", keys.size() + 2))
                    .setKeyAlias("key-" + (keys.size() + 2));
            edit.accept(k);
            keys.add(k.build());
            return this;
        }

        /** When provider calls are logged in detail (ALWAYS: as with --detailed-debug). */
        Builder debug(UpstreamDebug.Mode mode) {
            this.debug = mode;
            return this;
        }

        Builder settings(java.util.function.Consumer<RouterSettings.Builder> edit) {
            edit.accept(settings);
            return this;
        }

        RoutedSidecar start() {
            PolicySnapshot.Builder snapshot = PolicySnapshot.newBuilder().setVersion(1).setRouterSettings(settings);
            aliases.forEach((name, ds) -> snapshot.addAliases(Alias.newBuilder().setName(name).addAllDeployments(ds)));
            snapshot.addKeys(VirtualKey.newBuilder().setKeyHash(TestSidecar.sha256(TestSidecar.KEY))
                    .setKeyId("00000000-0000-0000-0000-000000000001").setKeyAlias("routing-test"));
            snapshot.addAllKeys(keys);
            return new RoutedSidecar(snapshot.build(), random, debug);
        }
    }

    HttpResponse<String> chat(String alias, String... headers) throws Exception {
        return post("/v1/chat/completions", CHAT.formatted(alias), headers);
    }

    HttpResponse<String> stream(String alias, String... headers) throws Exception {
        return post("/v1/chat/completions", STREAM.formatted(alias), headers);
    }

    HttpResponse<String> post(String path, String json, String... headers) throws Exception {
        return postAs(TestSidecar.KEY, path, json, headers);
    }

    /** A chat completion with virtual key {@code key}. */
    HttpResponse<String> chatAs(String key, String alias, String... headers) throws Exception {
        return postAs(key, "/v1/chat/completions", CHAT.formatted(alias), headers);
    }

    HttpResponse<String> postAs(String key, String path, String json, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The port the sidecar listens on (127.0.0.1). */
    int port() {
        return server.port();
    }

    /** The sidecar's {@code GET /metrics} text. */
    String metrics() throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Sends without waiting for the answer (for requests held in flight by the fake). */
    java.util.concurrent.CompletableFuture<HttpResponse<String>> chatAsync(String alias) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + TestSidecar.KEY)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT.formatted(alias))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits (up to five seconds) until {@code condition} holds. */
    static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
    }

    /** The deployment that answered, from the response header. */
    static String deployment(HttpResponse<String> r) {
        return r.headers().firstValue("x-tollgate-deployment").orElse("");
    }

    static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElse("");
    }

    static JsonNode error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("error");
    }

    /** The {@code n}th usage record (0-based), waiting for it: records are written after the response. */
    UsageRecord usage(int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (usage.size() <= n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("usage record " + n + " not recorded within 5s; have " + usage.size());
            }
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
        return usage.get(n);
    }

    @Override
    public void close() {
        server.close();
    }
}
