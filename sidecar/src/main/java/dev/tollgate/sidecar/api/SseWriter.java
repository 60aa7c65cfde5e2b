package dev.tollgate.sidecar.api;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a server-sent-events response, committing status and headers only at the first event
 * (so an error before it can still be a plain HTTP error), and flushing every event at once. A
 * client that went away is always an {@link IOException} here (Helidon reports it unchecked when
 * the response's end fails), which the handlers record as client_closed. Confined to the
 * request's thread.
 */
final class SseWriter {

    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NL = "\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerResponse res;
    private final Exchange exchange;
    private OutputStream out;

    SseWriter(ServerResponse res, Exchange exchange) {
        this.res = res;
        this.exchange = exchange;
    }

    boolean started() {
        return out != null;
    }

    /** {@code data: <json>\n\n}. */
    void data(byte[] json) throws IOException {
        begin();
        out.write(DATA);
        out.write(json);
        out.write(END);
        out.flush();
    }

    /** {@code event: <name>\ndata: <json>\n\n} (Anthropic's framing). */
    void event(String name, byte[] json) throws IOException {
        begin();
        out.write(EVENT);
        out.write(name.getBytes(StandardCharsets.US_ASCII));
        out.write(NL);
        out.write(DATA);
        out.write(json);
        out.write(END);
        out.flush();
    }

    /** Writes raw bytes (e.g. {@code data: [DONE]\n\n}) and ends the response. */
    void finish(byte[] last) throws IOException {
        begin();
        if (last.length > 0) {
            out.write(last);
        }
        out.close();
    }

    /** Ends the response without throwing: the client may already be gone. */
    void closeQuietly() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // nothing left to tell the client
            }
        }
    }

    private void begin() {
        if (out == null) {
            exchange.firstByte();
            exchange.committed = true;
            res.status(Status.OK_200);
            res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            out = new ClientStream(res.outputStream());
        }
    }

    /** The response's stream, with Helidon's unchecked "connection closed" turned into the IOException it is. */
    private static final class ClientStream extends FilterOutputStream {

        ClientStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (CloseConnectionException e) {
                throw gone(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (CloseConnectionException e) {
                throw gone(e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                out.close();
            } catch (CloseConnectionException e) {
                throw gone(e);
            }
        }

        private static IOException gone(CloseConnectionException e) {
            return new IOException("the client went away: " + e.getMessage(), e);
        }
    }
}
