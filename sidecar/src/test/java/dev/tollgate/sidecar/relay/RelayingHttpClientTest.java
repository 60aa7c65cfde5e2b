package dev.tollgate.sidecar.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.proto.control.v1.ProviderRelayGrpc;
import dev.tollgate.proto.control.v1.RelayFailure;
import dev.tollgate.proto.control.v1.RelayFrame;
import dev.tollgate.proto.control.v1.RelayHead;
import dev.tollgate.proto.control.v1.RelayHeader;
import dev.tollgate.proto.control.v1.RelayRequest;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.provider.ProviderErrors;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sidecar's relaying HTTP client against a hand-written ProviderRelay over in-process gRPC:
 * placeholder requests are relayed with their deployment named, bodies stream through as frames
 * arrive, closing the body cancels the relay, and an unreachable control plane becomes
 * 503 control_plane_unavailable.
 */
class RelayingHttpClientTest {

    private static final String DEPLOYMENT = "strict#0";
    private static final String PLACEHOLDER = "tgcp." + Base64.getUrlEncoder().withoutPadding()
            .encodeToString(DEPLOYMENT.getBytes(StandardCharsets.UTF_8)) + ".api_key";

    private final AtomicReference<RelayRequest> received = new AtomicReference<>();
    private final CountDownLatch releaseLast = new CountDownLatch(1);
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private volatile boolean lastSent;
    private Server server;
    private ManagedChannel channel;
    private HttpServer direct;

    @AfterEach
    void stop() throws InterruptedException {
        releaseLast.countDown();
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (direct != null) {
            direct.stop(0);
        }
    }

    /** Answers every relay with a head and three chunks; the last only once the test releases it. */
    private RelayingHttpClient client(HttpClient delegate) throws IOException {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(new ProviderRelayGrpc.ProviderRelayImplBase() {
            @Override
            public void relay(RelayRequest request, StreamObserver<RelayFrame> out) {
                received.set(request);
                ((ServerCallStreamObserver<RelayFrame>) out).setOnCancelHandler(cancelled::countDown);
                Thread.ofVirtual().start(() -> {
                    out.onNext(RelayFrame.newBuilder().setHead(RelayHead.newBuilder().setStatus(200)
                            .addHeaders(RelayHeader.newBuilder().setName("content-type").setValue("text/event-stream")))
                            .build());
                    out.onNext(chunk("data: one\n\n"));
                    out.onNext(chunk("data: two\n\n"));
                    try {
                        if (!releaseLast.await(10, TimeUnit.SECONDS)) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    lastSent = true;
                    out.onNext(chunk("data: [DONE]\n\n"));
                    out.onCompleted();
                });
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        return new RelayingHttpClient(delegate, channel, "sidecar-a", "token-a");
    }

    private static RelayFrame chunk(String text) {
        return RelayFrame.newBuilder().setChunk(ByteString.copyFromUtf8(text)).build();
    }

    private static HttpRequest strictRequest() {
        return HttpRequest.newBuilder(URI.create("https://api.example.test/v1/chat/completions"))
                .header("Authorization", "Bearer " + PLACEHOLDER)
                .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
                .build();
    }

    @Test
    void aPlaceholderRequestIsRelayedNamingItsDeploymentAndStreamsAsFramesArrive() throws Exception {
        HttpResponse<InputStream> response = client(HttpClient.newHttpClient())
                .send(strictRequest(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));
        RelayRequest sent = received.get();
        assertEquals(DEPLOYMENT, sent.getDeploymentId());
        assertEquals("token-a", sent.getSidecarToken());
        assertEquals("{\"stream\":true}", sent.getBody().toStringUtf8());
        assertTrue(sent.getHeadersList().contains(RelayHeader.newBuilder().setName("Authorization")
                .setValue("Bearer " + PLACEHOLDER).build()), sent.toString());
        try (InputStream body = response.body()) {
            byte[] first = new byte[64];
            int n = body.read(first);
            assertTrue(new String(first, 0, n, StandardCharsets.UTF_8).startsWith("data: one"));
            assertFalse(lastSent, "the first chunk must not wait for the last");
            releaseLast.countDown();
            String rest = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(rest.endsWith("data: [DONE]\n\n"), rest);
        }
    }

    @Test
    void closingTheBodyEarlyCancelsTheRelay() throws Exception {
        HttpResponse<InputStream> response = client(HttpClient.newHttpClient())
                .send(strictRequest(), HttpResponse.BodyHandlers.ofInputStream());
        InputStream body = response.body();
        assertTrue(body.read(new byte[8]) > 0);
        body.close();
        assertTrue(cancelled.await(10, TimeUnit.SECONDS), "the control plane never saw the cancel");
    }

    @Test
    void interruptingACallerReadingABodyWholeCancelsTheRelay() throws Exception {
        // A non-streaming call runs on the request thread; the router's watchdog interrupts it at its limit.
        RelayingHttpClient client = client(HttpClient.newHttpClient());
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                client.send(strictRequest(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                thrown.set(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.get() == null) {
            assertTrue(System.nanoTime() < deadline, "the relay never started");
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        caller.interrupt();
        assertTrue(caller.join(java.time.Duration.ofSeconds(10)), "the interrupted caller returned");
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertTrue(cancelled.await(10, TimeUnit.SECONDS), "the control plane never saw the cancel");
        assertFalse(lastSent, "the body was not read to its end");
    }

    @Test
    void interruptingACallerWaitingForTheHeadCancelsTheRelay() throws Exception {
        String name = InProcessServerBuilder.generateName();
        CountDownLatch started = new CountDownLatch(1);
        server = InProcessServerBuilder.forName(name).addService(new ProviderRelayGrpc.ProviderRelayImplBase() {
            @Override
            public void relay(RelayRequest request, StreamObserver<RelayFrame> out) {
                // Never answers: a provider that has not sent its head yet.
                ((ServerCallStreamObserver<RelayFrame>) out).setOnCancelHandler(cancelled::countDown);
                started.countDown();
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        RelayingHttpClient client = new RelayingHttpClient(HttpClient.newHttpClient(), channel, "s", "t");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                client.send(strictRequest(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                thrown.set(e);
            }
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        caller.interrupt(); // what the router does when an attempt's time is up or the client went away
        caller.join(10_000);
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertTrue(cancelled.await(10, TimeUnit.SECONDS), "the control plane never saw the cancel");
    }

    @Test
    void requestsWithoutAPlaceholderGoStraightToTheProvider() throws Exception {
        direct = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        direct.createContext("/", e -> {
            byte[] ok = "direct".getBytes(StandardCharsets.UTF_8);
            e.sendResponseHeaders(200, ok.length);
            e.getResponseBody().write(ok);
            e.close();
        });
        direct.start();
        HttpResponse<String> r = client(HttpClient.newHttpClient()).send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + direct.getAddress().getPort() + "/v1")).header("Authorization", "Bearer sk-x")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("direct", r.body());
        assertEquals(null, received.get());
    }

    @Test
    void anUnreachableControlPlaneIsA503NamingTheDeployment() throws Exception {
        ManagedChannel nowhere = InProcessChannelBuilder.forName("no-such-control-plane").build();
        try {
            RelayingHttpClient client = new RelayingHttpClient(HttpClient.newHttpClient(), nowhere, "s", "t");
            IOException e = assertThrows(IOException.class,
                    () -> client.send(strictRequest(), HttpResponse.BodyHandlers.ofString()));
            assertInstanceOf(ControlPlaneUnavailableException.class, e);
            GatewayError error = ProviderErrors.fromIo(new Failures.Target("strict", DEPLOYMENT, "openai"),
                    "https://api.example.test/v1", e);
            assertEquals(503, error.status());
            assertEquals("control_plane_unavailable", error.code());
            assertEquals("api_connection_error", error.type()); // the router retries and falls back on it
            assertTrue(error.message().contains("'" + DEPLOYMENT + "'") && error.message().contains("'strict'")
                    && error.message().contains("held by the control plane"), error.message());
        } finally {
            nowhere.shutdownNow();
        }
    }

    @Test
    void aConnectFailureOnTheControlPlanesSideIsAProviderConnectFailure() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(new ProviderRelayGrpc.ProviderRelayImplBase() {
            @Override
            public void relay(RelayRequest request, StreamObserver<RelayFrame> out) {
                out.onNext(RelayFrame.newBuilder().setFailure(RelayFailure.newBuilder()
                        .setKind(RelayFailure.Kind.CONNECT).setMessage("cannot connect")).build());
                out.onCompleted();
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        RelayingHttpClient client = new RelayingHttpClient(HttpClient.newHttpClient(), channel, "s", "t");
        IOException e = assertThrows(IOException.class,
                () -> client.send(strictRequest(), HttpResponse.BodyHandlers.ofString()));
        assertInstanceOf(ConnectException.class, e);
        assertEquals("provider_unreachable", ProviderErrors.fromIo(new Failures.Target("strict", DEPLOYMENT,
                "openai"), "https://api.example.test/v1", e).code());
    }
}
