package dev.tollgate.bench.wire;

/**
 * The start line of an HTTP/1.1 message and the headers that frame its body.
 *
 * @param startLine     request line or status line, without CRLF
 * @param contentLength {@code Content-Length}, or -1 when absent
 * @param chunked       {@code Transfer-Encoding: chunked}
 * @param close         {@code Connection: close}: the peer ends the connection after this message
 */
public record Head(String startLine, long contentLength, boolean chunked, boolean close) {

    /** The status code of a status line ({@code HTTP/1.1 200 OK}); -1 when it is not one. */
    public int status() {
        if (startLine.length() < 12 || !startLine.startsWith("HTTP/1.")) {
            return -1;
        }
        try {
            return Integer.parseInt(startLine, 9, 12, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether a response to a request with this head has a body at all (i.e. not 1xx, 204, 304). */
    public boolean responseHasBody() {
        int s = status();
        return !(s / 100 == 1 || s == 204 || s == 304);
    }
}
