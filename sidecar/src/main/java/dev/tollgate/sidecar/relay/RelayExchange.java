package dev.tollgate.sidecar.relay;

import dev.tollgate.proto.control.v1.RelayFailure;
import dev.tollgate.proto.control.v1.RelayFrame;
import dev.tollgate.proto.control.v1.RelayHead;
import dev.tollgate.proto.control.v1.RelayRequest;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One relayed call as the JDK HTTP client's body machinery sees it: the head completes
 * {@link #head}, body chunks go to the adapter's {@link HttpResponse.BodySubscriber}, and the
 * subscriber's demand becomes gRPC flow control ({@code request(n)} asks the control plane for n
 * more frames), so a slow reader slows the relay instead of filling memory. Cancelling the
 * subscription (the adapter closed the body, or was interrupted) cancels the gRPC call, which the
 * control plane turns into an aborted upstream request.
 *
 * <p>gRPC delivers {@code onNext}/{@code onError}/{@code onCompleted} serially; the end of the stream
 * may arrive before the subscriber is attached (empty body, control plane gone), so it is kept until
 * then under {@link #lock}.
 */
final class RelayExchange<T> implements ClientResponseObserver<RelayRequest, RelayFrame>, Flow.Subscription {

    /** At most this many frames asked for at once (an unbounded demand would overflow gRPC's counter). */
    private static final long MAX_REQUEST = 1 << 20;

    final CompletableFuture<RelayHead> head = new CompletableFuture<>();
    private final String deploymentId;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile ClientCallStreamObserver<RelayRequest> call;
    private volatile HttpResponse.BodySubscriber<T> subscriber;
    private Consumer<HttpResponse.BodySubscriber<T>> pendingEnd;
    private boolean ended;

    RelayExchange(String deploymentId) {
        this.deploymentId = deploymentId;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<RelayRequest> requestStream) {
        call = requestStream;
        // The head first; body frames only as the subscriber asks for them.
        requestStream.disableAutoRequestWithInitial(1);
    }

    @Override
    public void onNext(RelayFrame frame) {
        switch (frame.getKindCase()) {
            case HEAD -> head.complete(frame.getHead());
            case CHUNK -> subscriber.onNext(List.of(frame.getChunk().asReadOnlyByteBuffer()));
            case FAILURE -> {
                IOException e = failure(frame.getFailure());
                if (!head.completeExceptionally(e)) {
                    end(s -> s.onError(e));
                }
            }
            case KIND_NOT_SET -> {
                // a newer control plane's frame kind: nothing this sidecar can do with it
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        IOException e = fromStatus(Status.fromThrowable(t));
        if (!head.completeExceptionally(e)) {
            end(s -> s.onError(e));
        }
    }

    @Override
    public void onCompleted() {
        if (!head.completeExceptionally(new IOException("the control plane ended the relay of deployment '"
                + deploymentId + "' without a response"))) {
            end(HttpResponse.BodySubscriber::onComplete);
        }
    }

    /** Hands the body to {@code s}; a stream end that arrived earlier is delivered right after. */
    void attach(HttpResponse.BodySubscriber<T> s) {
        lock.lock();
        try {
            subscriber = s;
            s.onSubscribe(this);
            if (pendingEnd != null) {
                ended = true;
                pendingEnd.accept(s);
            }
        } finally {
            lock.unlock();
        }
    }

    private void end(Consumer<HttpResponse.BodySubscriber<T>> signal) {
        lock.lock();
        try {
            if (ended || pendingEnd != null) {
                return;
            }
            if (subscriber == null) {
                pendingEnd = signal;
            } else {
                ended = true;
                signal.accept(subscriber);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            end(s -> s.onError(new IllegalArgumentException("request(" + n + ") (expected: > 0)")));
            return;
        }
        call.request((int) Math.min(n, MAX_REQUEST));
    }

    @Override
    public void cancel() {
        abort("the response body was closed");
    }

    /** Cancels the gRPC call; the control plane aborts the upstream request. */
    void abort(String why) {
        ClientCallStreamObserver<RelayRequest> c = call;
        if (c != null) {
            c.cancel(why, null);
        }
    }

    private IOException failure(RelayFailure f) {
        return switch (f.getKind()) {
            case CONNECT -> new ConnectException(f.getMessage());
            case TIMEOUT -> new HttpTimeoutException(f.getMessage());
            default -> new IOException(f.getMessage());
        };
    }

    private IOException fromStatus(Status status) {
        String detail = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
        return switch (status.getCode()) {
            case UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, FAILED_PRECONDITION, INVALID_ARGUMENT ->
                    new RelayRefusedException("the control plane refused to relay the call (" + detail + ")");
            case CANCELLED -> new IOException("the relay was cancelled (" + detail + ")");
            default -> new ControlPlaneUnavailableException("the control plane did not take the call (" + detail + ")",
                    status.getCause());
        };
    }
}
