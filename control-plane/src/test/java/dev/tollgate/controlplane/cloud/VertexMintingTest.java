package dev.tollgate.controlplane.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.controlplane.policy.PolicyCompiler;
import dev.tollgate.proto.control.v1.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Vertex AI OAuth tokens from a service account's signed JWT, pushed as the deployment's api_key. */
class VertexMintingTest extends MintingScenarios {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KeyPair ACCOUNT = keyPair();
    private static final KeyPair OTHER = keyPair();
    private FakeTokenEndpoints google;
    private KeyPair signingKey = ACCOUNT;
    private String keyFile = "";

    @Override
    void startFake() throws Exception {
        google = new FakeTokenEndpoints(ACCOUNT.getPublic());
    }

    @Override
    void stopFake() {
        if (google != null) {
            google.close();
        }
    }

    @Override
    String config() {
        return """
                model_list:
                  - model_name: minted
                    litellm_params:
                      model: vertex_ai/gemini-2.0-flash
                      api_base: %s
                      vertex_project: example-project
                      vertex_location: us-central1
                      vertex_credentials: %s
                """.formatted(google.authority(), keyFile.isEmpty() ? "os.environ/VERTEX_SA_JSON" : keyFile);
    }

    @Override
    Map<String, String> env() {
        return Map.of("VERTEX_SA_JSON", keyJson(signingKey));
    }

    String keyJson(KeyPair key) {
        try {
            return JSON.writeValueAsString(Map.of("type", "service_account", "project_id", "example-project",
                    "private_key_id", "0123456789abcdef", "private_key", pem(key),
                    "client_email", FakeTokenEndpoints.SERVICE_ACCOUNT, "client_id", "1234567890",
                    "token_uri", google.googleTokenUri()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    String token(int n) {
        return FakeTokenEndpoints.googleToken(n);
    }

    @Override
    String pushedToken(Deployment d) {
        return d.getApiKey();
    }

    @Override
    void failWith(int status) {
        google.failWith(status);
    }

    @Override
    List<String> longLivedSecrets() {
        // A PEM line of each private key: JSON and proto text escape the newlines between lines, never a line.
        return List.of(pem(ACCOUNT).lines().skip(5).findFirst().orElseThrow(),
                pem(OTHER).lines().skip(5).findFirst().orElseThrow());
    }

    @Override
    String failureWord() {
        return "internal_failure";
    }

    @Test
    void aKeyFileGivenByPathMintsToo() throws Exception {
        startFake();
        Path file = Files.createTempFile("service-account", ".json");
        Files.writeString(file, keyJson(ACCOUNT));
        keyFile = file.toString();
        h = new MintingHarness(clock, config(), Map.of());
        assertEquals(token(1), pushedToken(h.deployment(ALIAS)));
        assertEquals("", h.deployment(ALIAS).getParamsOrDefault("vertex_credentials", ""));
        h.assertNeverLeaked(longLivedSecrets());
    }

    @Test
    void aJwtSignedWithTheWrongKeyIsRefusedAndTheMessageSaysWhatToCheck() throws Exception {
        signingKey = OTHER;
        start();
        String error = h.deployment(ALIAS).getParamsOrDefault(PolicyCompiler.CREDENTIAL_ERROR_PARAM, "");
        assertTrue(error.contains("invalid_grant") && error.contains("Invalid JWT Signature")
                && error.contains("vertex_credentials"), error);
        assertEquals("", pushedToken(h.deployment(ALIAS)));
        h.mintCheck(ALIAS);
        h.assertNeverLeaked(longLivedSecrets());
    }

    static String pem(KeyPair key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
