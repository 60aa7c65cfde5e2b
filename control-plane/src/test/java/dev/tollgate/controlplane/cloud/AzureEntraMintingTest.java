package dev.tollgate.controlplane.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.policy.PolicyCompiler;
import dev.tollgate.proto.control.v1.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Azure OpenAI bearer tokens from Entra ID's client-credentials grant, pushed as azure_ad_token. */
class AzureEntraMintingTest extends MintingScenarios {

    private static final String WRONG_SECRET = "wrongEntraSecret-CANARY~abcdefghij";
    private FakeTokenEndpoints entra;
    private String clientSecret = FakeTokenEndpoints.CLIENT_SECRET;
    private String exposure = "sidecar";

    @Override
    void startFake() throws Exception {
        entra = new FakeTokenEndpoints(null);
    }

    @Override
    void stopFake() {
        if (entra != null) {
            entra.close();
        }
    }

    @Override
    String config() {
        return """
                model_list:
                  - model_name: minted
                    litellm_params:
                      model: azure/gpt-4o-deployment
                      api_base: %1$s
                      api_version: "2024-10-21"
                      tenant_id: %2$s
                      client_id: %3$s
                      client_secret: os.environ/AZURE_CLIENT_SECRET
                      azure_authority_host: %1$s
                      exposure: %4$s
                """.formatted(entra.authority(), FakeTokenEndpoints.TENANT, FakeTokenEndpoints.CLIENT_ID, exposure);
    }

    @Override
    Map<String, String> env() {
        return Map.of("AZURE_CLIENT_SECRET", clientSecret);
    }

    @Override
    String token(int n) {
        return FakeTokenEndpoints.entraToken(n);
    }

    @Override
    String pushedToken(Deployment d) {
        return d.getParamsOrDefault("azure_ad_token", "");
    }

    @Override
    void failWith(int status) {
        entra.failWith(status);
    }

    @Override
    List<String> longLivedSecrets() {
        return List.of(FakeTokenEndpoints.CLIENT_SECRET, WRONG_SECRET);
    }

    @Override
    String failureWord() {
        return "temporarily_unavailable";
    }

    @Test
    void aWrongClientSecretIsNamedByEntrasErrorWithoutQuotingIt() throws Exception {
        clientSecret = WRONG_SECRET;
        start();
        Deployment d = h.deployment(ALIAS);
        String error = d.getParamsOrDefault(PolicyCompiler.CREDENTIAL_ERROR_PARAM, "");
        assertTrue(error.contains("HTTP 401") && error.contains("invalid_client") && error.contains("client_secret"),
                error);
        assertEquals("", pushedToken(d));
        assertEquals("", d.getApiKey());
        h.mintCheck(ALIAS);
        h.assertNeverLeaked(longLivedSecrets());
    }

    @Test
    void strictModeWithMintingFailsClosedInsteadOfPushingAToken() throws Exception {
        exposure = "control-plane";
        start();
        Deployment d = h.deployment(ALIAS);
        String error = d.getParamsOrDefault(PolicyCompiler.CREDENTIAL_ERROR_PARAM, "");
        assertTrue(error.contains("exposure: control-plane is not supported with minted"), error);
        assertEquals("", pushedToken(d));
        assertEquals("", d.getParamsOrDefault("client_secret", ""), "not even a stand-in of the client secret");
        assertTrue(entra.grants().isEmpty(), "nothing minted");
        h.assertNeverLeaked(longLivedSecrets());
    }
}
