/**
 * The fake OpenAI-compatible upstream every benchmark target ends at: a fixed small
 * {@code chat.completion}, or a stream of N chunks with a fixed gap. It runs as its own process
 * so that its CPU and garbage collection are apart from the load generator's. Depends only on
 * {@code bench.wire}.
 */
package dev.tollgate.bench.upstream;
