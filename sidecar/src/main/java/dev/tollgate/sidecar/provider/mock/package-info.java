/**
 * The built-in mock provider: deterministic content and usage with configurable latency, for
 * running the stack offline. Depends on the provider contract only.
 */
package dev.tollgate.sidecar.provider.mock;
