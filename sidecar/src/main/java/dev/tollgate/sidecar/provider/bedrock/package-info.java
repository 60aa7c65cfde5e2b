/**
 * The {@code bedrock/} provider: AWS Bedrock Runtime Converse and ConverseStream for chat, InvokeModel for Titan and
 * Cohere embeddings, every request SigV4-signed with the AWS SDK's signer and sent by the sidecar's own HTTP client.
 * Translation rules live in small mapping classes (request, messages, tools, response, stream events); it depends on
 * the provider contract, the failure catalogue and the SDK's http-auth-aws signer only.
 */
package dev.tollgate.sidecar.provider.bedrock;
