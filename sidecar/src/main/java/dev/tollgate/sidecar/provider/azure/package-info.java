/**
 * Azure OpenAI: the OpenAI wire format at a per-deployment URL with an {@code api-version} query
 * parameter and an {@code api-key} header. Reuses the OpenAI relay through its upstream contract;
 * depends on the provider contract and the openai package only.
 */
package dev.tollgate.sidecar.provider.azure;
