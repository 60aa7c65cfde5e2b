package dev.tollgate.controlplane.relay;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.control.v1.RelayFailure;
import dev.tollgate.proto.control.v1.RelayFrame;
import dev.tollgate.proto.control.v1.RelayHead;
import dev.tollgate.proto.control.v1.RelayHeader;
import dev.tollgate.proto.control.v1.RelayRequest;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One relayed provider call, run on its own virtual thread: sends the request, then forwards the
 * response head and each body read as it arrives (no buffering, so SSE, NDJSON and event streams
 * pass through), waiting for gRPC flow control between frames. Cancelling the gRPC call interrupts
 * the thread and closes the response body, which aborts the upstream exchange. An error body is
 * read whole (bounded) and scrubbed of the secrets first: providers quote keys in 401 answers.
 */
final class UpstreamCall {

    private static final int CHUNK = 16 * 1024;
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final HttpClient http;
    private final RelayRequest request;
    private final RelayTarget target;
    private final ServerCallStreamObserver<RelayFrame> out;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private volatile boolean cancelled;
    private volatile Thread worker;
    private volatile InputStream body;

    UpstreamCall(HttpClient http, RelayRequest request, RelayTarget target, ServerCallStreamObserver<RelayFrame> out) {
        this.http = http;
        this.request = request;
        this.target = target;
        this.out = out;
        out.setOnReadyHandler(this::signal);
        out.setOnCancelHandler(this::cancel);
    }

    void run() {
        worker = Thread.currentThread();
        try {
            if (cancelled) {
                return;
            }
            HttpResponse<InputStream> response = http.send(upstreamRequest(), HttpResponse.BodyHandlers.ofInputStream());
            body = response.body();
            if (cancelled) {
                body.close();
                return;
            }
            RelayHead.Builder head = RelayHead.newBuilder().setStatus(response.statusCode());
            response.headers().map().forEach((name, values) -> {
                if (!name.startsWith(":")) {
                    values.forEach(v -> head.addHeaders(RelayHeader.newBuilder().setName(name).setValue(v)));
                }
            });
            send(RelayFrame.newBuilder().setHead(head).build());
            try (InputStream in = body) {
                if (response.statusCode() >= 400) {
                    send(chunk(scrubbed(in.readNBytes(MAX_ERROR_BODY))));
                } else {
                    byte[] buffer = new byte[CHUNK];
                    int n;
                    // read() returns what has arrived, without waiting to fill the buffer.
                    while ((n = in.read(buffer)) >= 0) {
                        if (n > 0) {
                            send(RelayFrame.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, n)).build());
                        }
                    }
                }
            }
            if (!cancelled) {
                out.onCompleted();
            }
        } catch (InterruptedException e) {
            // cancelled by the sidecar: nothing to answer
        } catch (IOException e) {
            if (!cancelled) {
                send(RelayFrame.newBuilder().setFailure(failure(e)).build());
                out.onCompleted();
            }
        } catch (IllegalArgumentException e) {
            // The JDK client refused the method or a header (its message may quote a header value).
            if (!cancelled) {
                out.onError(io.grpc.Status.INVALID_ARGUMENT.withDescription("the relayed request's method or a "
                        + "header is not valid HTTP").asRuntimeException());
            }
        } catch (RuntimeException e) {
            if (!cancelled) {
                out.onError(io.grpc.Status.INTERNAL.withDescription("relay failed: " + e.getClass().getSimpleName())
                        .asRuntimeException());
            }
        }
    }

    private HttpRequest upstreamRequest() {
        HttpRequest.Builder b = HttpRequest.newBuilder(target.uri())
                .method(request.getMethod(), request.getBody().isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.getBody().toByteArray()));
        if (request.getTimeoutMs() > 0) {
            b.timeout(Duration.ofMillis(request.getTimeoutMs()));
        }
        target.headers().forEach(h -> b.header(h.getName(), h.getValue()));
        return b.build();
    }

    private RelayFailure failure(IOException e) {
        String where = target.origin();
        if (e instanceof HttpTimeoutException) {
            return RelayFailure.newBuilder().setKind(RelayFailure.Kind.TIMEOUT)
                    .setMessage("no answer from " + where + " within " + request.getTimeoutMs() + " ms").build();
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof UnresolvedAddressException) {
                return RelayFailure.newBuilder().setKind(RelayFailure.Kind.CONNECT)
                        .setMessage("cannot connect to " + where + " from the control plane").build();
            }
        }
        return RelayFailure.newBuilder().setKind(RelayFailure.Kind.IO)
                .setMessage("the connection to " + where + " failed: " + e.getClass().getSimpleName()).build();
    }

    private byte[] scrubbed(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (String secret : target.secrets()) {
            text = text.replace(secret, "[redacted]");
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static RelayFrame chunk(byte[] bytes) {
        return RelayFrame.newBuilder().setChunk(ByteString.copyFrom(bytes)).build();
    }

    /** Sends one frame once the sidecar can take it (gRPC flow control); gives up when cancelled. */
    private void send(RelayFrame frame) {
        lock.lock();
        try {
            // The ready handler may run between isReady() and await(): the timed wait bounds that race.
            while (!out.isReady() && !cancelled) {
                ready.await(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } finally {
            lock.unlock();
        }
        if (!cancelled) {
            out.onNext(frame);
        }
    }

    private void signal() {
        lock.lock();
        try {
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The sidecar cancelled (client gone, timeout): abort the upstream exchange. */
    private void cancel() {
        cancelled = true;
        signal();
        Thread t = worker;
        if (t != null) {
            t.interrupt();
        }
        InputStream in = body;
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing is best effort: the exchange is abandoned either way
            }
        }
    }
}
