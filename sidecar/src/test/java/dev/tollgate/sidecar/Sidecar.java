package dev.tollgate.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Hello;
import dev.tollgate.sidecar.api.ApiServer;
import dev.tollgate.sidecar.control.ControlClient;
import dev.tollgate.sidecar.control.ControlPlaneAddresses;
import dev.tollgate.sidecar.policy.PolicyHolder;
import dev.tollgate.sidecar.provider.ProviderCatalog;
import dev.tollgate.sidecar.provider.Providers;
import dev.tollgate.sidecar.telemetry.Metrics;
import dev.tollgate.sidecar.telemetry.RequestObserver;
import dev.tollgate.sidecar.usage.UsageSpool;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A sidecar wired as {@code Main.run} wires it (policy holder, usage spool, control client on a
 * Netty channel, the standard provider catalog with {@code openai} and {@code mock}, metrics, API
 * server on a free loopback port), plus an HTTP client to drive it.
 */
final class Sidecar implements AutoCloseable {

    static final String NAME = "test-sidecar";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    final PolicyHolder policies = new PolicyHolder();
    final UsageSpool spool;
    final ControlClient control;
    final ApiServer api;
    private final ExecutorService upstreamExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService scheduler;
    private final ManagedChannel channel;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private Sidecar(Path dataDir, String controlPlane) throws IOException {
        Clock clock = Clock.systemUTC();
        spool = new UsageSpool(dataDir.resolve("usage.spool"));
        HttpClient upstream = dev.tollgate.sidecar.upstream.UpstreamHttpClient.withDefaultTls(
                new dev.tollgate.sidecar.upstream.UpstreamHttpClient.Settings(Duration.ofSeconds(10), 256, Duration.ofSeconds(30)));
        Providers providers = ProviderCatalog.standard(upstream);
        channel = ControlPlaneAddresses.parse(controlPlane).channelBuilder()
                .keepAliveTime(30, TimeUnit.SECONDS)
                .build();
        scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "tollgate-control-test");
            t.setDaemon(true);
            return t;
        });
        control = new ControlClient(channel, controlPlane, Hello.newBuilder()
                .setSidecarName(NAME)
                .setSidecarToken("sidecar-token-for-tests")
                .setBuild("test")
                .build(), policies, spool, scheduler, clock);
        control.start();
        Metrics metrics = new Metrics();
        metrics.gauge("tollgate_usage_spool_depth", "Usage records waiting for the control plane's acknowledgement.",
                spool::depth);
        api = new ApiServer("127.0.0.1", 0, policies, providers, spool::append, clock, NAME, metrics,
                RequestObserver.LogFormat.TEXT).start();
    }

    /** Starts a sidecar whose spool lives in {@code dataDir} and whose control plane is {@code host:port}. */
    static Sidecar start(Path dataDir, String controlPlane) throws IOException {
        return new Sidecar(dataDir, controlPlane);
    }

    void awaitPolicyVersion(long version) {
        Await.until("policy version " + version + " installed", Duration.ofSeconds(10),
                () -> policies.version() >= version);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + api.port() + path);
    }

    /** POST /v1/chat/completions with {@code key} as Bearer (none when null) and extra header name/value pairs. */
    HttpResponse<String> chat(String key, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A chat request body for {@code alias} with one user message. */
    static String chatBody(String alias, String userText) {
        ObjectNode body = JSON.createObjectNode().put("model", alias);
        body.putArray("messages").addObject().put("role", "user").put("content", userText);
        return body.toString();
    }

    /** A streamed chat request body; {@code includeUsage} sets {@code stream_options.include_usage}. */
    static String streamBody(String alias, String userText, boolean includeUsage) {
        ObjectNode body = (ObjectNode) json(chatBody(alias, userText));
        body.put("stream", true);
        if (includeUsage) {
            body.putObject("stream_options").put("include_usage", true);
        }
        return body.toString();
    }

    /** The {@code data:} payloads of a server-sent-events body, in order. */
    static java.util.List<String> events(String body) {
        return body.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        api.close();
        control.close();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
        spool.close();
        upstreamExecutor.shutdownNow();
        client.close();
    }
}
