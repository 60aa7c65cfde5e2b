/**
 * Budgets and rate limits on the request path: leases from the control plane spent locally, with
 * a reservation per request before it is admitted and a settlement when it ends. Called from
 * {@code api.Gate} (admission) and {@code api.Exchange} (settlement). Depends on {@code policy},
 * {@code failure} and the generated protocol; never blocks on the control plane while a lease lasts.
 * {@link dev.tollgate.sidecar.limits.Limiter} holds the argument for the overspend bound.
 */
package dev.tollgate.sidecar.limits;
