package dev.tollgate.controlplane.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which params ask for minting, and what an incomplete set says (never quoting a secret). */
class MintSpecsTest {

    private static final String SECRET = "longLivedSecret-CANARY-0123456789";

    @Test
    void deploymentsWithoutIdentityParamsDoNotMint() {
        assertInstanceOf(MintSpecs.Parsed.NotMinted.class, MintSpecs.parse("bedrock",
                Map.of("aws_region_name", "us-east-1"), Map.of("aws_secret_access_key", SECRET), Set.of()));
        assertInstanceOf(MintSpecs.Parsed.NotMinted.class, MintSpecs.parse("azure", Map.of("api_version", "x"),
                Map.of(), Set.of()));
        assertInstanceOf(MintSpecs.Parsed.NotMinted.class, MintSpecs.parse("openai", Map.of(), Map.of(), Set.of()));
    }

    @Test
    void assumeRoleDefaultsSessionNameAndRegionAndUsesTheDefaultChainWithoutKeys() {
        var spec = (MintSpec.AwsAssumeRole) ((MintSpecs.Parsed.Mints) MintSpecs.parse("bedrock",
                Map.of("aws_role_name", "arn:aws:iam::1:role/r"), Map.of(), Set.of())).spec();
        assertEquals("tollgate", spec.sessionName());
        assertEquals("us-east-1", spec.region());
        assertTrue(spec.keys().isEmpty());
    }

    @Test
    void halfOfTheCallerKeysIsInvalidAndTheSecretIsNotQuoted() {
        var parsed = MintSpecs.parse("bedrock", Map.of("aws_role_name", "arn:aws:iam::1:role/r"),
                Map.of("aws_secret_access_key", SECRET), Set.of());
        var invalid = assertInstanceOf(MintSpecs.Parsed.Invalid.class, parsed);
        assertTrue(invalid.message().contains("aws_access_key_id"), invalid.message());
        assertFalse(invalid.message().contains(SECRET));
    }

    @Test
    void azureWithoutItsClientSecretVariableSaysWhich() {
        var invalid = assertInstanceOf(MintSpecs.Parsed.Invalid.class, MintSpecs.parse("azure",
                Map.of("tenant_id", "t", "client_id", "c"), Map.of(), Set.of("client_secret")));
        assertTrue(invalid.message().startsWith("client_secret refers to an environment variable"), invalid.message());
    }

    @Test
    void unreadableServiceAccountJsonIsNotQuoted() {
        String broken = "{\"type\":\"service_account\",\"private_key\":\"" + SECRET + "\" oops";
        var invalid = assertInstanceOf(MintSpecs.Parsed.Invalid.class, MintSpecs.parse("vertex_ai", Map.of(),
                Map.of("vertex_credentials", broken), Set.of()));
        assertTrue(invalid.message().contains("not valid JSON"), invalid.message());
        assertFalse(invalid.message().contains(SECRET));
        var notAKey = assertInstanceOf(MintSpecs.Parsed.Invalid.class, MintSpecs.parse("vertex_ai", Map.of(),
                Map.of("vertex_credentials", "{\"type\":\"service_account\",\"client_email\":\"a@b\",\"private_key\":\""
                        + SECRET + "\"}"), Set.of()));
        assertTrue(notAKey.message().contains("PKCS#8"), notAKey.message());
        assertFalse(notAKey.message().contains(SECRET));
    }

    @Test
    void aMissingKeyFileNamesItsPath() {
        var invalid = assertInstanceOf(MintSpecs.Parsed.Invalid.class, MintSpecs.parse("vertex_ai", Map.of(),
                Map.of("vertex_credentials", "/nonexistent/sa.json"), Set.of()));
        assertTrue(invalid.message().contains("/nonexistent/sa.json"), invalid.message());
    }
}
