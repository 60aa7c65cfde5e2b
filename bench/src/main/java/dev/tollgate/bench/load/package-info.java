/**
 * The load generator: keep-alive connections on raw sockets ({@code bench.wire} framing), driven
 * one per virtual thread, with latencies in HdrHistograms. Sequential runs, fixed-duration
 * concurrent runs and streamed runs, each in short blocks so that the caller can alternate
 * targets. Depends on {@code bench.wire} and HdrHistogram only.
 */
package dev.tollgate.bench.load;
