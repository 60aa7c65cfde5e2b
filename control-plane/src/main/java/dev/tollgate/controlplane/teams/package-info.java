/**
 * Teams: a group of keys with its own budget, rate limits and allowed aliases, in PostgreSQL.
 * Depends on {@code budget} for limits and on the store through a {@link java.sql.Connection}.
 */
package dev.tollgate.controlplane.teams;
