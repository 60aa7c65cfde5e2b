/**
 * The OpenAI Chat Completions wire format, passed through with the model rewritten; also serves
 * OpenAI-compatible providers through {@code api_base}. Depends on the provider contract only.
 */
package dev.tollgate.sidecar.provider.openai;
