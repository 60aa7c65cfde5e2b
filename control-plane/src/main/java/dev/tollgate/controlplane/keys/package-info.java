/**
 * Virtual keys: generation, hashing (only SHA-256 hashes are stored) and their PostgreSQL table.
 * Depends on the store only through a {@link javax.sql.DataSource}.
 */
package dev.tollgate.controlplane.keys;
