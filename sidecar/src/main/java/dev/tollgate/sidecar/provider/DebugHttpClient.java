package dev.tollgate.sidecar.provider;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * An {@link HttpClient} that delegates every call and, while {@link UpstreamDebug} marks the
 * request, logs the translated upstream request (method, URL, headers with credentials replaced by
 * "[redacted]", body) and the upstream's status and, for an error, its raw body scrubbed of secrets.
 * Logger {@code tollgate.upstream}, level INFO. Thread-safe.
 */
final class DebugHttpClient extends ForwardingHttpClient {

    private static final System.Logger LOG = System.getLogger("tollgate.upstream");
    private static final Set<String> SECRET_HEADERS = Set.of("authorization", "x-api-key", "api-key",
            "x-goog-api-key", "x-amz-security-token");
    /** A debug log shows the start of a body; the rest says nothing more about what went wrong. */
    private static final int MAX_BODY_CHARS = 16_384;


    DebugHttpClient(HttpClient delegate) {
        super(delegate);
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        String requestId = UpstreamDebug.current();
        if (requestId == null) {
            return delegate.send(request, handler);
        }
        List<String> secrets = logRequest(requestId, request);
        return delegate.send(request, logging(requestId, request, handler, secrets));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        String requestId = UpstreamDebug.current();
        if (requestId == null) {
            return delegate.sendAsync(request, handler);
        }
        List<String> secrets = logRequest(requestId, request);
        return delegate.sendAsync(request, logging(requestId, request, handler, secrets));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        String requestId = UpstreamDebug.current();
        if (requestId == null) {
            return delegate.sendAsync(request, handler, push);
        }
        List<String> secrets = logRequest(requestId, request);
        return delegate.sendAsync(request, logging(requestId, request, handler, secrets), push);
    }

    /** Logs the request; returns the credential values it carried, to scrub from the answer too. */
    private static List<String> logRequest(String requestId, HttpRequest request) {
        List<String> secrets = new ArrayList<>();
        StringBuilder line = new StringBuilder("request ").append(requestId).append(": upstream request ")
                .append(request.method()).append(' ').append(request.uri());
        request.headers().map().forEach((name, values) -> {
            boolean secret = SECRET_HEADERS.contains(name.toLowerCase(Locale.ROOT));
            for (String value : values) {
                if (secret) {
                    secrets.add(value);
                    secrets.add(value.replaceFirst("(?i)^(Bearer|Basic)\\s+", ""));
                }
                line.append("\n  ").append(name).append(": ").append(secret ? "[redacted]" : value);
            }
        });
        String body = request.bodyPublisher().map(DebugHttpClient::copyOf).orElse("");
        line.append("\n  body: ").append(scrub(body, secrets));
        LOG.log(System.Logger.Level.INFO, line.toString());
        return secrets;
    }

    /**
     * Reads a copy of the body by subscribing to its publisher once more. The adapters' publishers
     * (strings and byte arrays) replay their content to every subscriber and complete at once.
     */
    private static String copyOf(HttpRequest.BodyPublisher publisher) {
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
            done.get(1, TimeUnit.SECONDS);
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "(body not readable for the debug log: " + e.getClass().getSimpleName() + ")";
        }
    }

    /** The adapter's handler, with the status logged and an error body copied into the log as it is read. */
    private static <T> HttpResponse.BodyHandler<T> logging(String requestId, HttpRequest request,
                                                           HttpResponse.BodyHandler<T> handler, List<String> secrets) {
        return info -> {
            HttpResponse.BodySubscriber<T> real = handler.apply(info);
            String head = "request " + requestId + ": upstream answered " + request.method() + " " + request.uri()
                    + " with HTTP " + info.statusCode();
            if (info.statusCode() < 400) {
                LOG.log(System.Logger.Level.INFO, head);
                return real;
            }
            return new TeeSubscriber<>(real, body -> LOG.log(System.Logger.Level.INFO, head + "\n  body: "
                    + scrub(body, secrets)));
        };
    }

    private static String scrub(String text, List<String> secrets) {
        String out = text.length() > MAX_BODY_CHARS ? text.substring(0, MAX_BODY_CHARS) + "...(truncated)" : text;
        for (String secret : secrets) {
            out = Redaction.scrub(out, secret);
        }
        return Redaction.scrub(out, null);
    }

    /** Passes a body through to the adapter and hands a copy to {@code onEnd} when it ends. */
    private static final class TeeSubscriber<T> implements HttpResponse.BodySubscriber<T> {
        private final HttpResponse.BodySubscriber<T> real;
        private final java.util.function.Consumer<String> onEnd;
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

        TeeSubscriber(HttpResponse.BodySubscriber<T> real, java.util.function.Consumer<String> onEnd) {
            this.real = real;
            this.onEnd = onEnd;
        }

        @Override
        public CompletionStage<T> getBody() {
            return real.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            real.onSubscribe(subscription);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if (copy.size() < MAX_BODY_CHARS) {
                    ByteBuffer view = b.duplicate();
                    byte[] chunk = new byte[view.remaining()];
                    view.get(chunk);
                    copy.writeBytes(chunk);
                }
            }
            real.onNext(items);
        }

        @Override
        public void onError(Throwable throwable) {
            onEnd.accept(copy.toString(StandardCharsets.UTF_8) + " (then: " + throwable.getClass().getSimpleName() + ")");
            real.onError(throwable);
        }

        @Override
        public void onComplete() {
            onEnd.accept(copy.toString(StandardCharsets.UTF_8));
            real.onComplete();
        }
    }
}
