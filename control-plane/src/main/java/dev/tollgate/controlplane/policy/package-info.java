/**
 * Policy: aliases and deployments in PostgreSQL, provider credentials in memory, and the
 * versioned snapshot compiled from them and pushed to subscribers. Depends on {@code keys}
 * and the generated protocol; knows nothing of gRPC streams.
 */
package dev.tollgate.controlplane.policy;
