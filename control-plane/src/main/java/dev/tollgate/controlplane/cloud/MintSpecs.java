package dev.tollgate.controlplane.cloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads from a deployment's {@code litellm_params} (LiteLLM's names) whether and how it mints:
 * {@code bedrock} with {@code aws_role_name}; {@code azure} with {@code tenant_id},
 * {@code client_id}, {@code client_secret}; {@code vertex_ai} with {@code vertex_credentials}.
 * Error messages name the param to fix and never quote a secret. Stateless.
 */
public final class MintSpecs {

    /** Entra ID's public authority; {@code azure_authority_host} replaces it (sovereign clouds, tests). */
    static final String ENTRA_AUTHORITY = "https://login.microsoftonline.com";
    static final String GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";
    static final String DEFAULT_SESSION_NAME = "tollgate";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> AZURE_FIELDS = Set.of("tenant_id", "client_id", "client_secret");

    private MintSpecs() {
    }

    /** What a deployment's params say about minting. */
    public sealed interface Parsed {
        /** The deployment uses its configured credential as it is. */
        record NotMinted() implements Parsed {
        }

        record Mints(MintSpec spec) implements Parsed {
        }

        /** The deployment asks to mint but its params are incomplete or unreadable. */
        record Invalid(String kind, String message) implements Parsed {
        }
    }

    /**
     * @param params     the deployment's plain params
     * @param secrets    its secret params, resolved
     * @param unresolved secret params whose {@code os.environ/} variable is not set
     */
    public static Parsed parse(String provider, Map<String, String> params, Map<String, String> secrets,
                               Set<String> unresolved) {
        try {
            return switch (provider) {
                case "bedrock" -> params.containsKey("aws_role_name") ? aws(params, secrets, unresolved)
                        : new Parsed.NotMinted();
                case "azure" -> AZURE_FIELDS.stream().anyMatch(f -> params.containsKey(f) || secrets.containsKey(f)
                        || unresolved.contains(f)) ? azure(params, secrets, unresolved) : new Parsed.NotMinted();
                case "vertex_ai" -> secrets.containsKey("vertex_credentials") || unresolved.contains("vertex_credentials")
                        ? google(secrets, unresolved) : new Parsed.NotMinted();
                default -> new Parsed.NotMinted();
            };
        } catch (IllegalArgumentException e) {
            return new Parsed.Invalid(kindOf(provider), e.getMessage());
        }
    }

    private static Parsed aws(Map<String, String> params, Map<String, String> secrets, Set<String> unresolved) {
        requireResolved(unresolved, "aws_access_key_id", "aws_secret_access_key", "aws_session_token");
        String keyId = secrets.getOrDefault("aws_access_key_id", "");
        String secret = secrets.getOrDefault("aws_secret_access_key", "");
        if (keyId.isEmpty() != secret.isEmpty()) {
            throw new IllegalArgumentException("set both aws_access_key_id and aws_secret_access_key (the control "
                    + "plane's own AWS credentials for AssumeRole), or neither to use the AWS SDK's default chain");
        }
        Optional<MintSpec.AwsKeys> keys = keyId.isEmpty() ? Optional.empty()
                : Optional.of(new MintSpec.AwsKeys(keyId, secret, secrets.getOrDefault("aws_session_token", "")));
        Optional<URI> endpoint = Optional.ofNullable(params.get("aws_sts_endpoint")).filter(s -> !s.isBlank())
                .map(s -> uri("aws_sts_endpoint", s));
        return new Parsed.Mints(new MintSpec.AwsAssumeRole(params.get("aws_role_name"),
                params.getOrDefault("aws_session_name", DEFAULT_SESSION_NAME),
                params.getOrDefault("aws_region_name", "us-east-1"), endpoint, keys));
    }

    private static Parsed azure(Map<String, String> params, Map<String, String> secrets, Set<String> unresolved) {
        requireResolved(unresolved, "client_secret", "tenant_id", "client_id");
        URI authority = uri("azure_authority_host", params.getOrDefault("azure_authority_host", ENTRA_AUTHORITY));
        return new Parsed.Mints(new MintSpec.AzureClientCredentials(value(params, secrets, "tenant_id"),
                value(params, secrets, "client_id"), secrets.getOrDefault("client_secret", ""), authority));
    }

    private static Parsed google(Map<String, String> secrets, Set<String> unresolved) {
        requireResolved(unresolved, "vertex_credentials");
        String raw = secrets.get("vertex_credentials").strip();
        String text;
        if (raw.startsWith("{")) {
            text = raw;
        } else {
            try {
                text = Files.readString(Path.of(raw));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("vertex_credentials: cannot read the key file " + raw + " ("
                        + e.getClass().getSimpleName() + "; expected: the path of a service-account key file, or "
                        + "its JSON inline)");
            }
        }
        JsonNode key;
        try {
            key = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // The parser's message may quote the key text; say only where it broke.
            throw new IllegalArgumentException("vertex_credentials: not valid JSON (line "
                    + e.getLocation().getLineNr() + "; expected: a service-account key file)");
        }
        if (!"service_account".equals(key.path("type").asText())) {
            throw new IllegalArgumentException("vertex_credentials: type is '" + key.path("type").asText()
                    + "' (expected: service_account; other Google credential types are not minted)");
        }
        String email = key.path("client_email").asText("");
        String pem = key.path("private_key").asText("");
        if (email.isEmpty() || pem.isEmpty()) {
            throw new IllegalArgumentException("vertex_credentials: client_email or private_key missing "
                    + "(expected: a service-account key file as Google Cloud downloads it)");
        }
        URI tokenUri = uri("vertex_credentials.token_uri", key.path("token_uri").asText(GOOGLE_TOKEN_URI));
        return new Parsed.Mints(new MintSpec.GoogleServiceAccount(email, privateKey(pem), pem, tokenUri));
    }

    private static PrivateKey privateKey(String pem) {
        String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("vertex_credentials: private_key is not a PKCS#8 RSA key in PEM "
                    + "(expected: the key file as Google Cloud downloads it)");
        }
    }

    private static void requireResolved(Set<String> unresolved, String... names) {
        for (String name : names) {
            if (unresolved.contains(name)) {
                throw new IllegalArgumentException(name + " refers to an environment variable that is not set in "
                        + "the control-plane process");
            }
        }
    }

    private static String value(Map<String, String> params, Map<String, String> secrets, String name) {
        return params.getOrDefault(name, secrets.getOrDefault(name, ""));
    }

    private static URI uri(String field, String text) {
        try {
            URI uri = URI.create(text.strip());
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": '" + text + "' is not a URL (expected e.g. https://host)");
        }
    }

    private static String kindOf(String provider) {
        return switch (provider) {
            case "bedrock" -> "AWS STS AssumeRole";
            case "azure" -> "Entra ID client credentials";
            default -> "Google service account";
        };
    }
}
