/**
 * Anthropic's Messages API both ways: the {@code anthropic/} adapter (OpenAI chat requests to Anthropic and
 * its answers and SSE events back), and the reverse tables that let the sidecar's {@code /v1/messages}
 * surface serve Anthropic clients from any provider. Depends on the provider contract and the error catalogue.
 */
package dev.tollgate.sidecar.provider.anthropic;
