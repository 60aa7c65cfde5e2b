package dev.tollgate.sidecar.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.sidecar.failure.Failures.Target;
import dev.tollgate.sidecar.failure.GatewayError;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProviderErrorsTest {

    private static final Target T = new Target("chat", "chat#0", "openai");
    private static final String KEY = "sk-secret-credential-123456";

    private static GatewayError of(int status, String message, String code) {
        return ProviderErrors.fromStatus(T, status, message, code, Optional.empty(), KEY);
    }

    @Test
    void contextLengthIsRecognisedByCodeOrByMessage() {
        assertEquals("context_length_exceeded", of(400, "Too many tokens for you", "context_length_exceeded").code());
        assertEquals("context_length_exceeded", of(400, "prompt is too long: 208310 tokens > 200000 maximum",
                "invalid_request_error").code());
        assertEquals("context_length_exceeded", of(400, "This model's maximum context length is 8192 tokens.",
                null).code());
        assertEquals("context_length_exceeded", ProviderErrors.fromStatus(T, 400,
                "Input is too long for requested model.", Optional.empty(), KEY).code());
    }

    @Test
    void contentPolicyIsRecognisedByCodeOrByMessage() {
        assertEquals("content_policy_violation", of(400, "Your request was rejected", "content_policy_violation").code());
        assertEquals("content_policy_violation", of(400, "Output blocked by content filtering policy", null).code());
        assertEquals(400, of(400, "Output blocked by content filtering policy", null).status());
    }

    @Test
    void otherBadRequestsStayProviderBadRequestAndQuoteTheProviderWithoutSecrets() {
        GatewayError e = of(400, "temperature out of range for key " + KEY, "invalid_request_error");
        assertEquals("provider_bad_request", e.code());
        assertTrue(e.message().contains("temperature out of range"));
        assertFalse(e.message().contains(KEY));
    }

    @Test
    void tooLargeBodyIs413AndOtherStatusesKeepTheirMapping() {
        assertEquals(413, of(413, "Request exceeds the maximum allowed number of bytes.", "request_too_large").status());
        assertEquals("request_too_large", of(413, "too big", null).code());
        assertEquals("provider_overloaded", of(529, "Overloaded", "overloaded_error").code());
        assertEquals("provider_rate_limited", of(429, "slow down", null).code());
    }
}
