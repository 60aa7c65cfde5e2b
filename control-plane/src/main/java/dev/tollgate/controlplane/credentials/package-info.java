/**
 * Named provider credentials (LiteLLM's {@code credential_list} and {@code /credentials}): stored
 * versions sealed under the {@code secrets} key ring, config-defined ones resolved from the
 * environment in memory, and the one lookup the policy compiler uses for both. Depends on
 * {@code secrets}, {@code config} and {@code store}.
 */
package dev.tollgate.controlplane.credentials;
