/**
 * Short-lived cloud credentials minted by the control plane: AWS STS session credentials for
 * Bedrock, Entra ID tokens for Azure OpenAI, Google OAuth tokens for Vertex AI. A deployment whose
 * {@code litellm_params} ask for it has its long-lived secret kept here (memory only) and a token
 * minted from it pushed in the policy snapshot instead, refreshed before it expires. Depends on
 * {@code config} and {@code policy} (the overlay it implements), the JDK HTTP client and the AWS SDK's STS client.
 */
package dev.tollgate.controlplane.cloud;
