/**
 * Admin API keys with a role ({@code admin}, {@code viewer}), stored as SHA-256 hashes like virtual
 * keys, so dashboards and automation need not hold the master key. Depends on {@code keys} (hashing).
 */
package dev.tollgate.controlplane.adminkeys;
