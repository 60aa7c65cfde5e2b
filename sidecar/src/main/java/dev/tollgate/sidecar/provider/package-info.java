/**
 * Provider adapters: the contract every provider implements, the registry by config prefix,
 * and the shared rules for provider errors and secret scrubbing. One sub-package per provider.
 */
package dev.tollgate.sidecar.provider;
