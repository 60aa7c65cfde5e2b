/**
 * {@code ./tollgate bench}: starts a fake upstream, the control plane, a sidecar and (with
 * {@code --peers}) Portkey's gateway and nginx as processes on loopback, measures them side by
 * side in alternating blocks, and writes JSON and Markdown under {@code bench/results/}.
 * {@link dev.tollgate.bench.Main} parses flags; {@link dev.tollgate.bench.Setup} starts things;
 * {@link dev.tollgate.bench.Benchmark} runs the workloads.
 */
package dev.tollgate.bench;
