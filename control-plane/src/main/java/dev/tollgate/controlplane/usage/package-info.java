/**
 * Usage ingest: records from sidecars stored once each (idempotent on the record id).
 * Depends on the generated protocol and a {@link javax.sql.DataSource}.
 */
package dev.tollgate.controlplane.usage;
