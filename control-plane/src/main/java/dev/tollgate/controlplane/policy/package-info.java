/**
 * Policy: aliases and deployments in PostgreSQL, provider credentials in memory, and the
 * versioned snapshot compiled from them (with minted short-lived credentials laid over through
 * {@link dev.tollgate.controlplane.policy.CredentialOverlay}) and pushed to subscribers. Depends
 * on {@code keys} and the generated protocol; knows nothing of gRPC streams.
 */
package dev.tollgate.controlplane.policy;
