/**
 * The processes a benchmark run starts and stops by PID (fake upstream, control plane, sidecar,
 * Portkey, nginx), their readiness, and what Linux says about them in {@code /proc}: CPU time of
 * the process and its children, resident memory. Depends on nothing else in the harness.
 */
package dev.tollgate.bench.process;
