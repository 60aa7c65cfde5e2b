/**
 * The router: which deployment of an alias serves a request (strategies, {@code order} tiers,
 * {@code max_parallel_requests}), what the sidecar learns from each provider call (cooldowns,
 * latency, usage per minute), and the attempt loop around the provider call (retries with backoff,
 * fallbacks to other aliases, timeouts, a stream retried only before its first byte). Depends on
 * {@code policy}, {@code provider} and {@code failure}; knows nothing of HTTP servers.
 */
package dev.tollgate.sidecar.routing;
