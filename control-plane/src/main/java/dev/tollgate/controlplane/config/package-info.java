/**
 * The control plane's YAML configuration in LiteLLM's {@code config.yaml} shape, parsed into records
 * once at start-up. Depends on nothing else in the control plane.
 */
package dev.tollgate.controlplane.config;
