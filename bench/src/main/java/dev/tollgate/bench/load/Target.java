package dev.tollgate.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One thing to send load to: a loopback port and the exact request bytes for a plain and a
 * streamed chat completion (headers included), built once, and for a short warm-up stream.
 *
 * @param id                 short key for reports ({@code direct}, {@code sidecar}, ...)
 * @param label              what it is, for people
 * @param warmUpStreamRequest a streamed chat completion whose {@code user} is {@link #WARM_UP_USER}:
 *                           the fake upstream answers it with two chunks and no gap
 */
public record Target(String id, String label, int port, byte[] chatRequest, byte[] streamRequest,
        byte[] warmUpStreamRequest) {

    /** The {@code user} of warm-up streams; gateways pass it through to the upstream unchanged. */
    public static final String WARM_UP_USER = "tollgate-bench-warm-up";

    public Target {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
    }

    /** A target whose requests go to {@code path} with these extra headers and this {@code model}. */
    public static Target of(String id, String label, int port, String path, Map<String, String> headers, String model) {
        return new Target(id, label, port, request(port, path, headers, chatBody(model, false, null)),
                request(port, path, headers, chatBody(model, true, null)),
                request(port, path, headers, chatBody(model, true, WARM_UP_USER)));
    }

    static String chatBody(String model, boolean stream, String user) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in five words.\"}],"
                + "\"max_tokens\":16" + (stream ? ",\"stream\":true" : "")
                + (user == null ? "" : ",\"user\":\"" + user + "\"") + "}";
    }

    static byte[] request(int port, String path, Map<String, String> headers, String body) {
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(256)
                .append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Accept: */*\r\n")
                .append("Content-Length: ").append(bodyBytes.length).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[headBytes.length + bodyBytes.length];
        System.arraycopy(headBytes, 0, out, 0, headBytes.length);
        System.arraycopy(bodyBytes, 0, out, headBytes.length, bodyBytes.length);
        return out;
    }
}
