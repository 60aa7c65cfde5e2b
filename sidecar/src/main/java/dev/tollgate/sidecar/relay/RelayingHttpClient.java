package dev.tollgate.sidecar.relay;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.control.v1.ProviderRelayGrpc;
import dev.tollgate.proto.control.v1.RelayHead;
import dev.tollgate.proto.control.v1.RelayHeader;
import dev.tollgate.proto.control.v1.RelayRequest;
import dev.tollgate.sidecar.provider.ForwardingHttpClient;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP client every adapter uses: a request that carries a control-plane placeholder (built for
 * an {@code exposure: control-plane} deployment) goes over the control plane's {@code ProviderRelay},
 * anything else to {@code delegate}. So adapters need no change: they build the request as always,
 * with the placeholder where the key goes, and read the answer through their usual body handler as
 * it streams in. Thread-safe.
 */
public final class RelayingHttpClient extends ForwardingHttpClient {

    /** Time the control plane gets beyond the request's own timeout to report that timeout itself. */
    private static final Duration HEAD_GRACE = Duration.ofSeconds(2);

    private final Channel controlPlane;
    private final String sidecarName;
    private final String sidecarToken;

    /**
     * @param controlPlane the channel of the control stream
     * @param sidecarToken presented on every relay, as in the control stream's hello
     */
    public RelayingHttpClient(HttpClient delegate, Channel controlPlane, String sidecarName, String sidecarToken) {
        super(delegate);
        this.controlPlane = controlPlane;
        this.sidecarName = sidecarName;
        this.sidecarToken = sidecarToken;
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        Optional<String> deployment = Placeholder.deploymentOf(request);
        if (deployment.isEmpty()) {
            return delegate.send(request, handler);
        }
        return relay(deployment.get(), request, handler);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return sendAsync(request, handler, null);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        Optional<String> deployment = Placeholder.deploymentOf(request);
        if (deployment.isEmpty()) {
            return push == null ? delegate.sendAsync(request, handler) : delegate.sendAsync(request, handler, push);
        }
        CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(relay(deployment.get(), request, handler));
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            } catch (InterruptedException e) {
                result.completeExceptionally(new IOException("interrupted", e));
            }
        });
        return result;
    }

    private <T> HttpResponse<T> relay(String deploymentId, HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        RelayExchange<T> exchange = new RelayExchange<>(deploymentId);
        ClientCalls.asyncServerStreamingCall(controlPlane.newCall(ProviderRelayGrpc.getRelayMethod(), CallOptions.DEFAULT),
                relayRequest(deploymentId, request), exchange);
        RelayHead head = await(exchange, exchange.head, request.timeout().map(t -> t.plus(HEAD_GRACE)));
        Map<String, List<String>> headerMap = new LinkedHashMap<>();
        for (RelayHeader h : head.getHeadersList()) {
            headerMap.computeIfAbsent(h.getName(), n -> new ArrayList<>()).add(h.getValue());
        }
        HttpHeaders headers = HttpHeaders.of(headerMap, (name, value) -> true);
        HttpResponse.BodySubscriber<T> subscriber = handler.apply(new RelayedResponse.Info(head.getStatus(), headers));
        exchange.attach(subscriber);
        T body = await(exchange, subscriber.getBody().toCompletableFuture(), Optional.empty());
        return new RelayedResponse<>(request, head.getStatus(), headers, body);
    }

    /** Waits for {@code future}; an interrupt (the router abandoning the attempt) cancels the relay. */
    private static <V> V await(RelayExchange<?> exchange, CompletableFuture<V> future, Optional<Duration> timeout)
            throws IOException, InterruptedException {
        try {
            return timeout.isPresent() ? future.get(timeout.get().toMillis(), TimeUnit.MILLISECONDS) : future.get();
        } catch (InterruptedException e) {
            exchange.abort("the caller gave up");
            throw e;
        } catch (TimeoutException e) {
            exchange.abort("timed out");
            throw new HttpTimeoutException("no response head through the control plane's relay in time");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("relayed call failed", e.getCause());
        }
    }

    private RelayRequest relayRequest(String deploymentId, HttpRequest request) throws IOException {
        RelayRequest.Builder b = RelayRequest.newBuilder()
                .setSidecarName(sidecarName)
                .setSidecarToken(sidecarToken)
                .setDeploymentId(deploymentId)
                .setMethod(request.method())
                .setUrl(request.uri().toString())
                .setTimeoutMs(request.timeout().map(Duration::toMillis).orElse(0L));
        request.headers().map().forEach((name, values) -> values.forEach(
                v -> b.addHeaders(RelayHeader.newBuilder().setName(name).setValue(v))));
        if (request.bodyPublisher().isPresent()) {
            b.setBody(bytesOf(request.bodyPublisher().get()));
        }
        return b.build();
    }

    /**
     * The request body, read by subscribing to its publisher: the adapters' publishers (byte arrays
     * and strings) hand over their content at once.
     */
    private static ByteString bytesOf(HttpRequest.BodyPublisher publisher) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompletableFuture<Void> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                bytes.writeBytes(chunk);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the request body", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the request body could not be read for the relay", e);
        }
        return ByteString.copyFrom(bytes.toByteArray());
    }
}
