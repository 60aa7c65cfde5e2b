/**
 * What a run measured and how it is told: percentiles from the load generator's histograms,
 * per-process CPU and memory, the goals checked against them, a JFR hot-spot summary,
 * written as JSON and Markdown under {@code bench/results/}. Depends on {@code bench.load}.
 */
package dev.tollgate.bench.report;
