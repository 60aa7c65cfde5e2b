/**
 * Transport security of the control stream: TLS and mutual TLS for the gRPC server that sidecars
 * connect to, and the check that refuses a call without a client certificate with a clear status.
 * Depends on gRPC only.
 */
package dev.tollgate.controlplane.transport;
