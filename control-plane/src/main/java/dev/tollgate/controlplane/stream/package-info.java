/**
 * The gRPC control stream that sidecars hold open: hello and token check, policy pushes,
 * snapshot acks and usage ingest with acks. Depends on {@code policy}, {@code usage}, {@code keys}.
 */
package dev.tollgate.controlplane.stream;
