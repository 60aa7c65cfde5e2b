/**
 * Just enough HTTP/1.1 framing for the harness's own client and fake upstream: request and status
 * lines, the three headers that frame a message, fixed-length and chunked bodies. No JDK HTTP
 * stack on the measured path, so the harness costs microseconds per request; depends on nothing.
 */
package dev.tollgate.bench.wire;
