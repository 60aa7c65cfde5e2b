/**
 * Vertex AI's Gemini models ({@code vertex_ai/} prefix): the Gemini translation of the gemini
 * package at a project- and location-scoped URL with an OAuth bearer token, and Vertex's
 * {@code :predict} embeddings. Depends on the provider contract and the gemini package.
 */
package dev.tollgate.sidecar.provider.vertex;
