/**
 * The Tollgate control plane: {@link dev.tollgate.controlplane.Main} wires config, PostgreSQL,
 * the admin API and the sidecars' control stream by hand.
 */
package dev.tollgate.controlplane;
