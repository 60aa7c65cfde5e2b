/**
 * Benchmarks of the control plane run as plain main classes (never as timed tests):
 * {@link dev.tollgate.controlplane.bench.IngestBenchmark} measures usage ingest through the real
 * control stream into PostgreSQL. Depends on the whole control plane; nothing depends on it.
 */
package dev.tollgate.controlplane.bench;
