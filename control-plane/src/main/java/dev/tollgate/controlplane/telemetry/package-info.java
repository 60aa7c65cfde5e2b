/**
 * Telemetry the control plane emits: spans rebuilt from sidecars' usage records and exported over
 * OTLP. Depends on the generated protocol and the OpenTelemetry SDK only.
 */
package dev.tollgate.controlplane.telemetry;
