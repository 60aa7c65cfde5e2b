package dev.tollgate.sidecar.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A blocking HTTP/1.1 {@link HttpClient} for provider calls: {@code send} writes the request and
 * reads the answer on the calling thread (a virtual thread in the sidecar) over a pooled
 * keep-alive connection, so a call costs no thread hand-off, selector wake-up or future chain.
 *
 * <ul>
 *   <li>Bodies: Content-Length, chunked, or until the server closes. With
 *       {@code BodyHandlers.ofInputStream()} the body is the connection's own stream: each read
 *       returns what has arrived (streams pass through unbuffered); closing it early closes the
 *       connection (cancelling the upstream call). Other handlers are fed through their subscriber.</li>
 *   <li>Time limits: the connect timeout bounds connecting and the TLS handshake
 *       ({@link HttpConnectTimeoutException}); {@link HttpRequest#timeout()} bounds the time to the
 *       response headers, and for a body read whole, to its end ({@link HttpTimeoutException}).
 *       Interrupting the calling thread closes its socket (virtual-thread socket I/O is interruptible).</li>
 *   <li>A reused connection that turns out closed before any byte of the answer is retried once on
 *       a new connection; nothing else is retried (the router decides about retries).</li>
 *   <li>https uses the given {@link SSLContext} (the JDK default in production) with host name verification.</li>
 * </ul>
 * Thread-safe; one instance serves the whole sidecar.
 */
public final class UpstreamHttpClient extends HttpClient {

    /** Keep-alive settings; the defaults suit a sidecar calling a handful of providers. */
    public record Settings(Duration connectTimeout, int maxIdlePerOrigin, Duration idleTimeout) {
        public Settings {
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
            }
            if (maxIdlePerOrigin < 0) {
                throw new IllegalArgumentException("maxIdlePerOrigin: " + maxIdlePerOrigin + " (expected: >= 0)");
            }
            if (idleTimeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: >= 0)");
            }
        }

        /** 10 s to connect; up to 256 idle connections per provider origin, each kept for 30 s at most. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(10), 256, Duration.ofSeconds(30));
        }
    }

    private final Settings settings;
    private final Dialer dialer;
    private final ConnectionPool pool;

    public UpstreamHttpClient(Settings settings, SSLContext ssl) {
        this.settings = settings;
        this.dialer = new Dialer(ssl);
        this.pool = new ConnectionPool(settings.maxIdlePerOrigin(), settings.idleTimeout());
    }

    /** With the JDK's default trust (the {@code cacerts} store, or {@code javax.net.ssl.trustStore}). */
    public static UpstreamHttpClient withDefaultTls(Settings settings) {
        try {
            return new UpstreamHttpClient(settings, SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        Origin origin = Origin.of(request.uri());
        byte[] wire = RequestBytes.encode(request, origin);
        long deadline = request.timeout().map(t -> System.nanoTime() + t.toNanos()).orElse(Long.MAX_VALUE);
        Connection c = pool.poll(origin);
        boolean retried = false;
        while (true) {
            try {
                millisLeft(deadline);
            } catch (HttpTimeoutException e) {
                if (c != null) {
                    pool.release(c);
                }
                throw e;
            }
            if (c == null) {
                c = open(origin, deadline);
            }
            Deadlines.Watch watch = Deadlines.SHARED.watch(c, deadline);
            try {
                c.received = 0;
                c.write(wire, 0, wire.length);
                c.flush();
                ResponseHead head = ResponseHead.read(c);
                return respond(request, handler, c, head, watch);
            } catch (IOException e) {
                c.close();
                if (!watch.finish()) {
                    throw timedOut(request, e);
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw interrupted(e);
                }
                // The server may close an idle keep-alive connection just as we reuse it: nothing of
                // the answer came back, so it never saw the request. Once, on a new connection.
                if (c.reused && c.received == 0 && !retried) {
                    retried = true;
                    c = null;
                    continue;
                }
                throw e;
            } catch (RuntimeException | Error e) {
                // A body handler that failed: the connection is in an unknown state.
                watch.finish();
                c.close();
                throw e;
            }
        }
    }

    /** @param watch the request's timeout: to the headers for a stream, else to the end of the body */
    private <T> HttpResponse<T> respond(HttpRequest request, HttpResponse.BodyHandler<T> handler, Connection c,
                                        ResponseHead head, Deadlines.Watch watch)
            throws IOException, InterruptedException {
        ResponseHead.Framing framing = head.framing(request.method());
        long length = framing == ResponseHead.Framing.LENGTH ? head.contentLength() : 0;
        boolean reusable = head.keepAlive() && framing != ResponseHead.Framing.UNTIL_CLOSE;
        // Nothing may touch the connection once the body has ended: it may be in the pool, in use again.
        Optional<javax.net.ssl.SSLSession> tls = c.sslSession();
        HttpResponse.BodySubscriber<T> subscriber = handler.apply(new Response.Info(head.status(), head.headers()));
        boolean stream = subscriber instanceof InputStream;
        if (stream && !watch.finish()) {
            // The router bounds a stream's time to its first and between its chunks; the headers were late.
            throw new HttpTimeoutException("request timed out after "
                    + request.timeout().map(Duration::toString).orElse("?"));
        }
        BodyInput body = new BodyInput(c, framing, length, conn -> {
            // finish() first: a connection whose deadline fired is closed, never pooled.
            if (watch.finish() && reusable && !conn.hasBuffered()) {
                pool.release(conn);
            } else {
                conn.close();
            }
        });
        T value;
        if (stream) {
            // BodyHandlers.ofInputStream(): its subscriber is itself the body stream (T is InputStream).
            // Hand over the connection's own stream instead, with no queue between socket and adapter.
            @SuppressWarnings("unchecked")
            T asT = (T) body;
            value = asT;
        } else {
            try {
                value = SubscriberFeed.feed(body, framing == ResponseHead.Framing.LENGTH ? length : -1, subscriber,
                        "tollgate-upstream-body");
            } catch (IOException e) {
                body.close();
                throw watch.finish() ? e : timedOut(request, e);
            } finally {
                // A subscriber may stop before the end of the body (which closes the connection).
                watch.finish();
            }
        }
        return new Response<>(head.status(), request, head.headers(), value, tls);
    }

    private Connection open(Origin origin, long deadline) throws IOException {
        long connectMillis = settings.connectTimeout().toMillis();
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : millisLeft(deadline);
        if (left < connectMillis) {
            try {
                return dialer.open(origin, (int) left);
            } catch (HttpConnectTimeoutException e) {
                // The request's own timeout ran out first: say that one, as the JDK client does.
                HttpTimeoutException t = new HttpTimeoutException("request timed out while connecting");
                t.initCause(e);
                throw t;
            }
        }
        return dialer.open(origin, (int) Math.min(connectMillis, Integer.MAX_VALUE));
    }

    /** Milliseconds to the deadline for a socket timeout: at least 1 (0 would mean none), 0 for no deadline. */
    private static int millisLeft(long deadline) throws HttpTimeoutException {
        if (deadline == Long.MAX_VALUE) {
            return 0;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new HttpTimeoutException("request timed out");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Duration.ofNanos(left).toMillis()));
    }

    private static HttpTimeoutException timedOut(HttpRequest request, Exception cause) {
        HttpTimeoutException e = new HttpTimeoutException("request timed out after "
                + request.timeout().map(Duration::toString).orElse("?"));
        e.initCause(cause);
        return e;
    }

    private static InterruptedException interrupted(IOException cause) {
        InterruptedException e = new InterruptedException("the provider call was interrupted (cancelled)");
        e.initCause(cause);
        return e;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        // Nothing in the sidecar calls this; it exists for completeness, on a virtual thread of its own.
        CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
        Thread.ofVirtual().name("tollgate-upstream-async").start(() -> {
            try {
                result.complete(send(request, handler));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        return sendAsync(request, handler);
    }

    /** Idle connections held for {@code uri}'s origin (for tests). */
    int idleConnections(java.net.URI uri) {
        return pool.idleCount(Origin.of(uri));
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return Optional.empty();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return Optional.of(settings.connectTimeout());
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
        return dialer.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return dialer.sslContext().getDefaultSSLParameters();
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

    @Override
    public void shutdown() {
        pool.closeAll();
    }

    @Override
    public void shutdownNow() {
        pool.closeAll();
    }

    @Override
    public boolean awaitTermination(Duration duration) {
        return true;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public void close() {
        pool.closeAll();
    }
}
