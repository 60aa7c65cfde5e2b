/**
 * Graceful shutdown of the sidecar's HTTP side: which requests are in flight, whether the sidecar is
 * draining (refusing new ones), and cutting those still running at the bound. Depends on nothing
 * else in the sidecar; the HTTP API consults it and {@code Main}'s shutdown hook drives it.
 */
package dev.tollgate.sidecar.shutdown;
