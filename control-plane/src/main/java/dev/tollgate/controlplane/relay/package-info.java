/**
 * Strict mode's relay: sidecars hand the control plane the provider calls of
 * {@code exposure: control-plane} deployments, which it makes with the real key and streams back.
 * Depends on {@code policy} (current snapshot, credential vault), {@code config} (allowed origins)
 * and {@code keys} (token comparison).
 */
package dev.tollgate.controlplane.relay;
