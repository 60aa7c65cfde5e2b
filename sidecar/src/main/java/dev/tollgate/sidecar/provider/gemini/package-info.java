/**
 * Google's Gemini wire format (generateContent, streamGenerateContent as SSE, embeddings): OpenAI
 * chat requests translated to it and its answers back, for Google AI Studio and, through
 * {@link dev.tollgate.sidecar.provider.gemini.GoogleEndpoint}, for Vertex AI. Depends on the
 * provider contract only.
 */
package dev.tollgate.sidecar.provider.gemini;
