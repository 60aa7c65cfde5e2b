/**
 * What the sidecar tells operators: GenAI facts gathered per request for traces, Prometheus
 * metrics, and one structured log line per request. Depends only on the generated protocol.
 */
package dev.tollgate.sidecar.telemetry;
