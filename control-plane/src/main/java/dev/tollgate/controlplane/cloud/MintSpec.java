package dev.tollgate.controlplane.cloud;

import java.net.URI;
import java.security.PrivateKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How one deployment mints its short-lived credential: which identity, and with which long-lived
 * secret. Built from {@code litellm_params} by {@link MintSpecs}. Never printed with its secrets.
 */
public sealed interface MintSpec {

    /** The provider's name for the credential kind, as logs and {@code doctor} show it. */
    String kind();

    /** The long-lived secrets of this spec, to scrub from any text that leaves the minter. */
    List<String> secrets();

    /** The params the compiler must never push for this deployment. */
    Set<String> withheld();

    /** The control plane's own AWS keys (from litellm_params); never printed. */
    record AwsKeys(String accessKeyId, String secretAccessKey, String sessionToken) {
        public AwsKeys {
            Objects.requireNonNull(accessKeyId, "accessKeyId");
            Objects.requireNonNull(secretAccessKey, "secretAccessKey");
            sessionToken = sessionToken == null ? "" : sessionToken;
        }

        @Override
        public String toString() {
            return "AwsKeys[****]";
        }
    }

    /**
     * {@code sts:AssumeRole} of {@code roleArn} with the control plane's AWS credentials (the
     * deployment's {@code aws_access_key_id}/{@code aws_secret_access_key}, else the AWS SDK's
     * default chain) for Bedrock session credentials.
     */
    record AwsAssumeRole(String roleArn, String sessionName, String region, Optional<URI> stsEndpoint,
                         Optional<AwsKeys> keys) implements MintSpec {
        public AwsAssumeRole {
            if (roleArn == null || roleArn.isBlank()) {
                throw new IllegalArgumentException("aws_role_name: empty (expected: the ARN of the role to assume)");
            }
            Objects.requireNonNull(sessionName, "sessionName");
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(stsEndpoint, "stsEndpoint");
            Objects.requireNonNull(keys, "keys");
        }

        @Override
        public String kind() {
            return "AWS STS AssumeRole";
        }

        @Override
        public List<String> secrets() {
            return keys.map(k -> List.of(k.secretAccessKey(), k.sessionToken())).orElse(List.of());
        }

        @Override
        public Set<String> withheld() {
            return Set.of("aws_access_key_id", "aws_secret_access_key", "aws_session_token");
        }
    }

    /** OAuth2 client credentials at Entra ID for an Azure OpenAI bearer token ({@code azure_ad_token}). */
    record AzureClientCredentials(String tenantId, String clientId, String clientSecret, URI authorityHost)
            implements MintSpec {
        public AzureClientCredentials {
            for (String[] field : new String[][]{{"tenant_id", tenantId}, {"client_id", clientId},
                    {"client_secret", clientSecret}}) {
                if (field[1] == null || field[1].isBlank()) {
                    throw new IllegalArgumentException(field[0] + ": empty (expected: tenant_id, client_id and "
                            + "client_secret of an Entra ID app registration)");
                }
            }
            Objects.requireNonNull(authorityHost, "authorityHost");
        }

        @Override
        public String kind() {
            return "Entra ID client credentials";
        }

        @Override
        public List<String> secrets() {
            return List.of(clientSecret);
        }

        @Override
        public Set<String> withheld() {
            return Set.of("client_secret", "azure_ad_token");
        }

        @Override
        public String toString() {
            return "AzureClientCredentials[" + tenantId + ", " + clientId + ", ****]";
        }
    }

    /** A JWT signed with a Google service account's key, exchanged for an OAuth access token. */
    record GoogleServiceAccount(String clientEmail, PrivateKey privateKey, String privateKeyText, URI tokenUri)
            implements MintSpec {
        public GoogleServiceAccount {
            Objects.requireNonNull(clientEmail, "clientEmail");
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(privateKeyText, "privateKeyText");
            Objects.requireNonNull(tokenUri, "tokenUri");
        }

        @Override
        public String kind() {
            return "Google service account";
        }

        @Override
        public List<String> secrets() {
            return List.of(privateKeyText);
        }

        @Override
        public Set<String> withheld() {
            return Set.of("vertex_credentials");
        }

        @Override
        public String toString() {
            return "GoogleServiceAccount[" + clientEmail + ", " + tokenUri + ", ****]";
        }
    }
}
