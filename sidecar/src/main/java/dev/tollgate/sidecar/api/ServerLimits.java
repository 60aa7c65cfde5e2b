package dev.tollgate.sidecar.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds the sidecar's HTTP server puts on each client, against hostile or broken ones. Immutable.
 *
 * @param maxHeaderBytes all request header lines together; more is answered 431
 *                       {@code request_header_too_large} and the connection is closed
 * @param idleTimeout    a connection without a request in progress for this long is closed
 *                       (Helidon checks every quarter of it): kept-alive connections nobody uses
 *                       and clients that never finish sending their headers
 * @param bodyDeadline   longest time reading one request body may take in total: a client that
 *                       trickles it gets 408 {@code request_timeout}, one that goes silent has its
 *                       connection closed (at most 5 s later); either way the connection is freed
 * @param maxConnections open client connections at once; further ones wait in the accept queue
 */
public record ServerLimits(int maxHeaderBytes, Duration idleTimeout, Duration bodyDeadline, int maxConnections) {

    /** 16 KiB of headers, 60 s idle, 60 s per body, 1024 connections. */
    public static final ServerLimits DEFAULT = new ServerLimits(16 * 1024, Duration.ofSeconds(60),
            Duration.ofSeconds(60), 1024);

    public ServerLimits {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(bodyDeadline, "bodyDeadline");
        if (maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: >= 1024)");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
        }
        if (bodyDeadline.isNegative() || bodyDeadline.isZero()) {
            throw new IllegalArgumentException("bodyDeadline: " + bodyDeadline + " (expected: > 0)");
        }
        if (maxHeaderBytes > 1024 * 1024) {
            throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: <= 1 MiB)");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
        }
    }

    /**
     * Helidon's own header cap: above the limit, so requests between the two reach routing and get
     * a 431 in the OpenAI envelope; past it Helidon refuses them itself (400).
     */
    int helidonHeaderCap() {
        return maxHeaderBytes * 4;
    }
}
