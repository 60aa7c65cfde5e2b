/**
 * The doctor: checks every alias's deployments end to end (prefix, environment, minted
 * credential, api_base, credential, model, sidecars) and says what to fix. Depends on the policy
 * snapshot and on the state of minted credentials ({@code cloud}).
 */
package dev.tollgate.controlplane.doctor;
