/**
 * Operator commands ({@code ./tollgate keys ...}, {@code ./tollgate spend}): thin clients of the
 * admin HTTP API, authenticated with the master key. Depend on nothing else in the control plane,
 * so they behave exactly as any other admin API client.
 */
package dev.tollgate.controlplane.operator;
