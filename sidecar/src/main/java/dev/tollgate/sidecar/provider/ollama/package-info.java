/**
 * Ollama's native API ({@code /api/chat} with NDJSON streaming, {@code /api/embed}): OpenAI requests
 * translated to it and its answers back. Depends on the provider contract only.
 */
package dev.tollgate.sidecar.provider.ollama;
