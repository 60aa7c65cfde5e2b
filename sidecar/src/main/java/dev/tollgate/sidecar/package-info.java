/**
 * The Tollgate sidecar: {@link dev.tollgate.sidecar.Main} wires the policy holder, the control
 * stream client, the provider adapters and the HTTP API by hand.
 */
package dev.tollgate.sidecar;
