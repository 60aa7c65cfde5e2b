package dev.tollgate.controlplane.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.controlplane.policy.PolicyCompiler;
import dev.tollgate.proto.control.v1.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bedrock session credentials from STS AssumeRole, signed with the control plane's own AWS keys. */
class AwsStsMintingTest extends MintingScenarios {

    static final String ROLE = "arn:aws:iam::123456789012:role/bedrock-invoke";
    private static final String WRONG_SECRET = "wrongCallerSecret-CANARY-9876543210fedcba";
    private FakeSts sts;
    private String callerSecret = FakeSts.CALLER_SECRET;
    private boolean keysInParams = true;

    @Override
    void startFake() throws Exception {
        sts = new FakeSts(clock);
    }

    @Override
    void stopFake() {
        if (sts != null) {
            sts.close();
        }
    }

    @Override
    String config() {
        return """
                model_list:
                  - model_name: minted
                    litellm_params:
                      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
                      api_base: %1$s
                      aws_region_name: us-east-1
                      aws_role_name: %2$s
                      aws_session_name: tollgate-test
                      aws_sts_endpoint: %1$s
                %3$s""".formatted(sts.endpoint(), ROLE, keysInParams ? """
                      aws_access_key_id: os.environ/CP_AWS_ACCESS_KEY_ID
                      aws_secret_access_key: os.environ/CP_AWS_SECRET_ACCESS_KEY
                """ : "");
    }

    @Override
    Map<String, String> env() {
        return keysInParams
                ? Map.of("CP_AWS_ACCESS_KEY_ID", FakeSts.CALLER_KEY_ID, "CP_AWS_SECRET_ACCESS_KEY", callerSecret)
                : Map.of("AWS_ACCESS_KEY_ID", FakeSts.CALLER_KEY_ID, "AWS_SECRET_ACCESS_KEY", callerSecret);
    }

    @Override
    String token(int n) {
        return FakeSts.sessionToken(n);
    }

    @Override
    String pushedToken(Deployment d) {
        return d.getParamsOrDefault("aws_session_token", "");
    }

    @Override
    void failWith(int status) {
        sts.failWith(status);
    }

    @Override
    List<String> longLivedSecrets() {
        return List.of(FakeSts.CALLER_SECRET, WRONG_SECRET);
    }

    @Override
    String failureWord() {
        return "ServiceUnavailable";
    }

    @Test
    void sessionCredentialsOfTheAssumedRoleReplaceTheCallerKeys() throws Exception {
        start();
        Deployment d = h.deployment(ALIAS);
        assertEquals(FakeSts.accessKeyId(1), d.getParamsOrThrow("aws_access_key_id"));
        assertEquals(FakeSts.secret(1), d.getParamsOrThrow("aws_secret_access_key"));
        assertEquals(ROLE, sts.accepted().getFirst().get("RoleArn"));
        assertEquals("tollgate-test", sts.accepted().getFirst().get("RoleSessionName"));
        assertEquals(0, sts.refused(), "every AssumeRole was SigV4-signed by the caller key");
        h.assertNotLoggedOrStored(List.of(FakeSts.secret(1)));
    }

    @Test
    void callerKeysComeFromTheControlPlaneEnvironmentWhenParamsHaveNone() throws Exception {
        keysInParams = false;
        start();
        assertEquals(token(1), pushedToken(h.deployment(ALIAS)));
        h.assertNeverLeaked(longLivedSecrets());
    }

    @Test
    void aWrongCallerSecretFailsTheSignatureAndNoSecretIsQuoted() throws Exception {
        callerSecret = WRONG_SECRET;
        start();
        Deployment d = h.deployment(ALIAS);
        String error = d.getParamsOrDefault(PolicyCompiler.CREDENTIAL_ERROR_PARAM, "");
        assertTrue(error.contains("SignatureDoesNotMatch") && error.contains(ROLE), error);
        assertTrue(sts.refused() >= 1);
        assertEquals("", pushedToken(d));
        h.mintCheck(ALIAS);
        h.assertNeverLeaked(longLivedSecrets());
    }
}
