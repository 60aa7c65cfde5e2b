package dev.tollgate.sidecar.upstream;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link HttpRequest} as the bytes that go on the wire: request line, headers and body in one
 * array, so that one write (one TCP segment for a small call) sends it all.
 */
final class RequestBytes {

    private RequestBytes() {
    }

    static byte[] encode(HttpRequest request, Origin origin) {
        byte[] body = request.bodyPublisher().map(RequestBytes::drain).orElse(null);
        URI uri = request.uri();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        StringBuilder head = new StringBuilder(256);
        head.append(request.method()).append(' ').append(path);
        if (uri.getRawQuery() != null) {
            head.append('?').append(uri.getRawQuery());
        }
        head.append(" HTTP/1.1\r\nHost: ").append(origin.hostHeader()).append("\r\n");
        boolean agent = false;
        for (var e : request.headers().map().entrySet()) {
            agent |= e.getKey().equalsIgnoreCase("user-agent");
            for (String value : e.getValue()) {
                head.append(e.getKey()).append(": ").append(value).append("\r\n");
            }
        }
        if (!agent) {
            head.append("User-Agent: tollgate-sidecar\r\n");
        }
        if (body != null && (body.length > 0 || !request.method().equals("GET"))) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null || body.length == 0) {
            return headBytes;
        }
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    /**
     * The publisher's whole content. The adapters' publishers (byte arrays, strings) deliver it at
     * once on the subscribing thread; others get a few seconds.
     */
    private static byte[] drain(HttpRequest.BodyPublisher publisher) {
        long length = publisher.contentLength();
        List<ByteBuffer> parts = new ArrayList<>(1);
        CompletableFuture<Void> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                parts.add(item);
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
            done.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the request body could not be read: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the request body", e);
        }
        int total = 0;
        for (ByteBuffer b : parts) {
            total += b.remaining();
        }
        if (length >= 0 && length != total) {
            throw new IllegalStateException("the request body publisher announced " + length + " bytes and sent "
                    + total);
        }
        byte[] out = new byte[total];
        int at = 0;
        for (ByteBuffer b : parts) {
            int n = b.remaining();
            b.get(out, at, n);
            at += n;
        }
        return out;
    }
}
