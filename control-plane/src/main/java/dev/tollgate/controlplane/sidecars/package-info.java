/**
 * Sidecar identity: per-sidecar tokens bound to a name and a team scope (stored hashed, or from
 * {@code tollgate.sidecars} in the config), the shared legacy token, and the admission decision a
 * control stream's hello gets. Depends on {@code store} and {@code keys} (hashing) only.
 */
package dev.tollgate.controlplane.sidecars;
