/**
 * The doctor: checks every alias's deployments end to end (prefix, environment, api_base,
 * credential, model, sidecars) and says what to fix. Depends on the policy snapshot only.
 */
package dev.tollgate.controlplane.doctor;
