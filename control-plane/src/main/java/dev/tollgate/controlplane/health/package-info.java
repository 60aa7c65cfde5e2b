/**
 * Whether this control-plane replica should take traffic: not while it is shutting down, and not
 * while its PostgreSQL does not answer. Depends only on a {@code DataSource} and a clock; the admin
 * API serves it on {@code /health/readiness}.
 */
package dev.tollgate.controlplane.health;
