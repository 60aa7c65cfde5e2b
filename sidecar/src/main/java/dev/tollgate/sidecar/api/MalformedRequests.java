package dev.tollgate.sidecar.api;

import dev.tollgate.sidecar.failure.GatewayError;
import io.helidon.http.DirectHandler;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.Filter;

/**
 * Answers what Helidon refuses before routing (a request line or headers it cannot parse, or
 * headers past its hard cap) in the OpenAI envelope instead of an empty 400. Helidon (4.2, 4.3) hands
 * this handler no message for these (they are not marked safe to show), so it cannot tell a header
 * overflow from other garbage: headers up to {@link ServerLimits#helidonHeaderCap} reach routing,
 * where {@link #headerLimit} answers 431 {@code request_header_too_large}; beyond that cap the
 * answer is this 400 {@code malformed_http_request}, whose message names both causes. Helidon's own
 * text is never echoed (it may quote header values). The connection is closed either way.
 * Thread-safe (stateless).
 */
final class MalformedRequests implements DirectHandler {

    private final ServerLimits limits;

    MalformedRequests(ServerLimits limits) {
        this.limits = limits;
    }

    static DirectHandlers handlers(ServerLimits limits) {
        return DirectHandlers.builder().addHandler(EventType.BAD_REQUEST, new MalformedRequests(limits)).build();
    }

    /**
     * A routing filter: requests whose header lines add up to more than the limit get 431 in the
     * OpenAI envelope and a closed connection, before any handler (or authentication) runs.
     */
    static Filter headerLimit(int maxHeaderBytes) {
        return (chain, req, res) -> {
            long size = 0;
            for (Header h : req.headers()) {
                // "Name: value\r\n", as on the wire.
                size += h.name().length() + 2 + String.join(",", h.allValues()).length() + 2;
            }
            if (size > maxHeaderBytes) {
                ErrorWriter.write(res, tooLarge(maxHeaderBytes)); // and closes the connection
                return;
            }
            chain.proceed();
        };
    }

    static GatewayError tooLarge(int maxHeaderBytes) {
        return new GatewayError(431, "invalid_request_error", "request_header_too_large",
                "Request headers exceed the sidecar's limit of " + maxHeaderBytes + " bytes in total; send fewer or"
                        + " shorter headers (large values belong in the body).");
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, String message) {
        GatewayError error = new GatewayError(400, "invalid_request_error", "malformed_http_request",
                "The request line or headers are not valid HTTP/1.1, or the headers exceed "
                        + limits.helidonHeaderCap() + " bytes; check the client or proxy that sent it.");
        return TransportResponse.builder()
                .status(Status.create(error.status()))
                .headers(responseHeaders)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .keepAlive(false)
                .entity(ErrorWriter.envelope(error))
                .build();
    }
}
