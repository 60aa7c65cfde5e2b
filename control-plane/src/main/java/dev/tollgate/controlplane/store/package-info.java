/**
 * The PostgreSQL connection pool, the embedded server used when no database URL is configured,
 * and the Flyway migrations. Depends on nothing else in the control plane.
 */
package dev.tollgate.controlplane.store;
