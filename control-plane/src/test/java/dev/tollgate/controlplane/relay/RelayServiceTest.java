package dev.tollgate.controlplane.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.controlplane.config.CredentialRef;
import dev.tollgate.controlplane.policy.CredentialVault;
import dev.tollgate.controlplane.policy.StrictPlaceholders;
import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.Exposure;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.ProviderRelayGrpc;
import dev.tollgate.proto.control.v1.RelayFrame;
import dev.tollgate.proto.control.v1.RelayHeader;
import dev.tollgate.proto.control.v1.RelayRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay over in-process gRPC against a real HTTP upstream on loopback: secrets go in only where
 * a credential belongs and only to the deployment's origin, bodies stream back frame by frame, error
 * bodies come back scrubbed, and a cancelled relay aborts the upstream exchange.
 */
class RelayServiceTest {

    private static final String KEY = "sk-relay-CANARY-91ab";
    private static final String TOKEN = "sidecar-token-relay";
    private static final String STRICT = "strict#0";
    private static final String OPEN = "open#0";

    private HttpServer upstream;
    private HttpServer elsewhere;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final CountDownLatch aborted = new CountDownLatch(1);
    private Server server;
    private ManagedChannel channel;
    private ProviderRelayGrpc.ProviderRelayBlockingStub relay;

    @BeforeEach
    void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.createContext("/v1/echo", this::echo);
        upstream.createContext("/v1/refuse", e -> reply(e, 401, "{\"error\":{\"message\":\"Incorrect API key "
                + "provided: " + e.getRequestHeaders().getFirst("x-api-key") + "\"}}"));
        upstream.createContext("/v1/endless", this::endless);
        upstream.start();
        elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        elsewhere.createContext("/", e -> {
            seen.add("elsewhere " + e.getRequestHeaders().getFirst("x-api-key"));
            reply(e, 200, "{}");
        });
        elsewhere.start();

        String base = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
        PolicySnapshot snapshot = PolicySnapshot.newBuilder().setVersion(1)
                .addAliases(Alias.newBuilder().setName("strict")
                        .addDeployments(Deployment.newBuilder().setId(STRICT).setProvider("openai").setApiBase(base)
                                .setApiKey(StrictPlaceholders.of(STRICT, "api_key"))
                                .setExposure(Exposure.EXPOSURE_CONTROL_PLANE)))
                .addAliases(Alias.newBuilder().setName("open")
                        .addDeployments(Deployment.newBuilder().setId(OPEN).setProvider("openai").setApiBase(base)))
                .build();
        CredentialVault vault = new CredentialVault(Map.of("RELAY_KEY", KEY));
        vault.put(STRICT, CredentialRef.parse("os.environ/RELAY_KEY"));
        vault.put(OPEN, CredentialRef.parse("os.environ/RELAY_KEY"));
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new RelayService(() -> snapshot, vault, Optional.of(TOKEN), HttpClient.newHttpClient()))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        relay = ProviderRelayGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        upstream.stop(0);
        elsewhere.stop(0);
    }

    private RelayRequest.Builder request(String deployment, String url) {
        String placeholder = StrictPlaceholders.of(deployment, "api_key");
        return RelayRequest.newBuilder().setSidecarName("test").setSidecarToken(TOKEN).setDeploymentId(deployment)
                .setMethod("POST").setUrl(url)
                .addHeaders(header("x-api-key", placeholder))
                .addHeaders(header("x-trace-note", placeholder))
                .setBody(ByteString.copyFromUtf8("{\"echo\":\"" + placeholder + "\"}"));
    }

    private String base() {
        return "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
    }

    @Test
    void theKeyGoesIntoCredentialHeadersAndTheQueryOnlyAndTheAnswerComesBack() throws IOException {
        String placeholder = StrictPlaceholders.of(STRICT, "api_key");
        Iterator<RelayFrame> frames = relay.relay(request(STRICT, base() + "/echo?key=" + placeholder).build());
        RelayFrame head = frames.next();
        assertEquals(200, head.getHead().getStatus());
        StringBuilder body = new StringBuilder();
        frames.forEachRemaining(f -> body.append(f.getChunk().toStringUtf8()));
        assertEquals(List.of("x-api-key=" + KEY, "x-trace-note=" + placeholder, "query=key=" + KEY,
                "body={\"echo\":\"" + placeholder + "\"}"), seen);
        assertEquals("echoed", body.toString());
    }

    @Test
    void anotherHostIsRefusedAndNeverCalled() {
        String other = "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/v1/echo";
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> relay.relay(request(STRICT, other).build()).forEachRemaining(f -> { }));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("may only be relayed to http://127.0.0.1:"
                + upstream.getAddress().getPort()), e.getMessage());
        // https to the same host and port is another origin too
        assertThrows(StatusRuntimeException.class, () -> relay.relay(request(STRICT, base().replace("http:", "https:")
                + "/echo").build()).forEachRemaining(f -> { }));
        assertEquals(List.of(), seen);
    }

    @Test
    void onlyStrictDeploymentsAndKnownSidecarsAreRelayed() {
        StatusRuntimeException open = assertThrows(StatusRuntimeException.class,
                () -> relay.relay(request(OPEN, base() + "/echo").build()).forEachRemaining(f -> { }));
        assertEquals(Status.Code.FAILED_PRECONDITION, open.getStatus().getCode());
        StatusRuntimeException token = assertThrows(StatusRuntimeException.class,
                () -> relay.relay(request(STRICT, base() + "/echo").setSidecarToken("wrong").build())
                        .forEachRemaining(f -> { }));
        assertEquals(Status.Code.UNAUTHENTICATED, token.getStatus().getCode());
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                () -> relay.relay(request("nope#0", base() + "/echo").build()).forEachRemaining(f -> { }));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        assertEquals(List.of(), seen);
    }

    @Test
    void aRequestTheHttpClientCannotSendIsRefusedAsInvalid() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> relay.relay(request(STRICT, base() + "/echo").setMethod("NOT A METHOD").build())
                        .forEachRemaining(f -> { }));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals(List.of(), seen);
    }

    @Test
    void anErrorBodyQuotingTheKeyComesBackScrubbed() {
        Iterator<RelayFrame> frames = relay.relay(request(STRICT, base() + "/refuse").build());
        assertEquals(401, frames.next().getHead().getStatus());
        StringBuilder body = new StringBuilder();
        frames.forEachRemaining(f -> body.append(f.getChunk().toStringUtf8()));
        assertFalse(body.toString().contains(KEY), body.toString());
        assertTrue(body.toString().contains("Incorrect API key provided: [redacted]"), body.toString());
    }

    @Test
    void cancellingTheRelayAbortsTheUpstreamExchange() throws InterruptedException {
        ProviderRelayGrpc.ProviderRelayStub async = ProviderRelayGrpc.newStub(channel);
        List<RelayFrame> got = new ArrayList<>();
        CountDownLatch firstChunk = new CountDownLatch(1);
        io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
        context.run(() -> async.relay(request(STRICT, base() + "/endless").build(), new StreamObserver<>() {
            @Override
            public void onNext(RelayFrame frame) {
                got.add(frame);
                if (frame.hasChunk()) {
                    firstChunk.countDown();
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        }));
        assertTrue(firstChunk.await(10, TimeUnit.SECONDS), "no chunk relayed");
        context.cancel(null);
        assertTrue(aborted.await(10, TimeUnit.SECONDS), "the upstream kept streaming after the relay was cancelled");
    }

    private void echo(HttpExchange e) throws IOException {
        seen.add("x-api-key=" + e.getRequestHeaders().getFirst("x-api-key"));
        seen.add("x-trace-note=" + e.getRequestHeaders().getFirst("x-trace-note"));
        seen.add("query=" + e.getRequestURI().getRawQuery());
        seen.add("body=" + new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        reply(e, 200, "echoed");
    }

    /** Streams a chunk every 20 ms until the connection breaks (the relay aborted it). */
    private void endless(HttpExchange e) throws IOException {
        e.sendResponseHeaders(200, 0);
        try (OutputStream out = e.getResponseBody()) {
            for (int i = 0; i < 1_000; i++) {
                out.write(("data: " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(20); // pacing of the fake stream, not synchronisation
            }
        } catch (IOException broken) {
            aborted.countDown();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reply(HttpExchange e, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        e.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static RelayHeader header(String name, String value) {
        return RelayHeader.newBuilder().setName(name).setValue(value).build();
    }
}
