package dev.tollgate.sidecar.testing;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * An {@link HttpClient} that answers every request in memory with one canned response (status,
 * headers, and a body cut into the given pieces), fed through the caller's own
 * {@link HttpResponse.BodyHandler} exactly as the JDK client feeds it: one piece per item of demand.
 * So an adapter reads a stream split at the very boundaries a fuzzer chose, without sockets or
 * threads — thousands of provider calls a second. Not thread-safe: one answer, one caller.
 */
public final class CannedHttpClient extends HttpClient {

    private int status = 200;
    private HttpHeaders headers = HttpHeaders.of(Map.of(), (a, b) -> true);
    private List<byte[]> pieces = List.of();
    private HttpRequest lastRequest;

    /** The next answers are {@code status} with {@code body} cut into {@code pieces} (joined, they are the body). */
    public CannedHttpClient answer(int status, Map<String, List<String>> headers, List<byte[]> pieces) {
        this.status = status;
        this.headers = HttpHeaders.of(headers, (a, b) -> true);
        this.pieces = List.copyOf(pieces);
        return this;
    }

    /** Keeps the status and headers, replaces the body. */
    public CannedHttpClient rebody(List<byte[]> pieces) {
        this.pieces = List.copyOf(pieces);
        return this;
    }

    /** The canned body, its pieces joined. */
    public byte[] body() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        pieces.forEach(out::writeBytes);
        return out.toByteArray();
    }

    public HttpRequest lastRequest() {
        return lastRequest;
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        lastRequest = request;
        HttpResponse.ResponseInfo info = new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
                return status;
            }

            @Override
            public HttpHeaders headers() {
                return headers;
            }

            @Override
            public Version version() {
                return Version.HTTP_1_1;
            }
        };
        HttpResponse.BodySubscriber<T> subscriber = handler.apply(info);
        subscriber.onSubscribe(new Pieces(subscriber, pieces));
        T body = subscriber.getBody().toCompletableFuture().join();
        return new Canned<>(request, status, headers, body);
    }

    /** Delivers one piece per unit of demand, then completes; re-entrant requests only add demand. */
    private static final class Pieces implements Flow.Subscription {
        private final Flow.Subscriber<? super List<ByteBuffer>> subscriber;
        private final List<byte[]> pieces;
        private int next;
        private long demand;
        private boolean draining;
        private boolean done;

        Pieces(Flow.Subscriber<? super List<ByteBuffer>> subscriber, List<byte[]> pieces) {
            this.subscriber = subscriber;
            this.pieces = pieces;
        }

        @Override
        public void request(long n) {
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            if (draining) {
                return;
            }
            draining = true;
            try {
                while (!done && demand > 0 && next < pieces.size()) {
                    demand--;
                    subscriber.onNext(List.of(ByteBuffer.wrap(pieces.get(next++))));
                }
                if (!done && next == pieces.size()) {
                    done = true;
                    subscriber.onComplete();
                }
            } finally {
                draining = false;
            }
        }

        @Override
        public void cancel() {
            done = true;
        }
    }

    private record Canned<T>(HttpRequest request, int statusCode, HttpHeaders headers, T body)
            implements HttpResponse<T> {

        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public java.net.URI uri() {
            return request.uri();
        }

        @Override
        public Version version() {
            return Version.HTTP_1_1;
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                                                            HttpResponse.BodyHandler<T> handler) {
        try {
            return CompletableFuture.completedFuture(send(request, handler));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        return sendAsync(request, handler);
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return Optional.empty();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return Optional.empty();
    }

    @Override
    public Redirect followRedirects() {
        return Redirect.NEVER;
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return Optional.empty();
    }

    @Override
    public SSLContext sslContext() {
        return null;
    }

    @Override
    public SSLParameters sslParameters() {
        return new SSLParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return Optional.empty();
    }

    @Override
    public Version version() {
        return Version.HTTP_1_1;
    }

    @Override
    public Optional<Executor> executor() {
        return Optional.empty();
    }
}
