package dev.tollgate.sidecar.upstream;

import java.io.IOException;
import java.net.ProtocolException;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A response's status line and headers, and what they say about the body's framing and whether
 * the connection may carry another request.
 */
record ResponseHead(int status, boolean http10, HttpHeaders headers) {

    private static final int MAX_HEADERS = 256;

    /** How the body's end is found. */
    enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    /**
     * Reads a final response's head, skipping interim 1xx answers. A clean end of stream before
     * the first byte is a {@link StaleConnectionException} (the server closed an idle connection).
     */
    static ResponseHead read(Connection c) throws IOException {
        while (true) {
            String statusLine = c.readLine();
            if (statusLine == null) {
                throw new StaleConnectionException("the server closed the connection before answering");
            }
            ResponseHead head = parse(statusLine, c);
            if (head.status >= 200 || head.status == 101) {
                return head;
            }
        }
    }

    private static ResponseHead parse(String statusLine, Connection c) throws IOException {
        // "HTTP/1.1 200 OK": the reason phrase may be empty or missing.
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
            throw new ProtocolException("not an HTTP/1.x status line: " + abbreviate(statusLine));
        }
        int status;
        try {
            status = Integer.parseInt(statusLine, 9, 12, 10);
        } catch (NumberFormatException e) {
            throw new ProtocolException("bad status code in: " + abbreviate(statusLine));
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        int count = 0;
        for (String line = c.readLine(); ; line = c.readLine()) {
            if (line == null) {
                throw new ProtocolException("the connection closed inside the response headers");
            }
            if (line.isEmpty()) {
                break;
            }
            if (++count > MAX_HEADERS) {
                throw new ProtocolException("more than " + MAX_HEADERS + " response headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("bad response header line: " + abbreviate(line));
            }
            headers.computeIfAbsent(line.substring(0, colon).strip(), k -> new ArrayList<>(1))
                    .add(line.substring(colon + 1).strip());
        }
        return new ResponseHead(status, statusLine.charAt(7) == '0', HttpHeaders.of(headers, (k, v) -> true));
    }

    Framing framing(String method) {
        if (method.equals("HEAD") || status == 204 || status == 304 || status < 200) {
            return Framing.NONE;
        }
        for (String te : headers.allValues("transfer-encoding")) {
            if (te.toLowerCase(Locale.ROOT).contains("chunked")) {
                return Framing.CHUNKED;
            }
        }
        return headers.firstValue("content-length").isPresent() ? Framing.LENGTH : Framing.UNTIL_CLOSE;
    }

    long contentLength() throws ProtocolException {
        String value = headers.firstValue("content-length").orElse("0");
        try {
            long n = Long.parseLong(value.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ProtocolException("bad Content-Length: " + abbreviate(value));
    }

    /** Whether the server lets the connection carry another request after this response. */
    boolean keepAlive() {
        boolean close = false;
        boolean keepAlive = false;
        for (String v : headers.allValues("connection")) {
            String lower = v.toLowerCase(Locale.ROOT);
            close |= lower.contains("close");
            keepAlive |= lower.contains("keep-alive");
        }
        return !close && (!http10 || keepAlive) && status != 101;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
