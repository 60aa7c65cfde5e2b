package dev.tollgate.controlplane.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tollgate.proto.control.v1.RouterAttempt;
import dev.tollgate.proto.control.v1.UsageRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanMappingTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SERVER = "00f067aa0ba902b7";

    private static UsageRecord.Builder record() {
        return UsageRecord.newBuilder().setId("r1").setTraceId(TRACE).setSpanId(SERVER).setOperation("chat")
                .setAlias("chat").setDeploymentId("chat#1").setProvider("openai").setModel("gpt-4o-mini")
                .setHttpStatus(200).setStartedAtMs(1_700_000_000_000L).setDurationUs(900_000).setAttempts(2)
                .setPromptTokens(7).setCompletionTokens(3).setServerAddress("api.openai.com").setServerPort(443)
                .setRoute("/v1/chat/completions");
    }

    @Test
    void everyRouterAttemptIsItsOwnClientSpanUnderTheServerSpan() {
        UsageRecord r = record()
                .addRouterAttempts(RouterAttempt.newBuilder().setDeploymentId("chat#0").setProvider("azure")
                        .setAlias("chat").setModel("gpt-4o").setStatus(502).setErrorCode("provider_error")
                        .setSpanId("1111111111111111").setStartOffsetUs(1_000).setDurationUs(200_000)
                        .setServerAddress("example.openai.azure.com").setServerPort(443))
                .addRouterAttempts(RouterAttempt.newBuilder().setDeploymentId("chat#1").setProvider("openai")
                        .setAlias("chat").setModel("gpt-4o-mini").setStatus(200)
                        .setSpanId("2222222222222222").setStartOffsetUs(300_000).setDurationUs(500_000))
                .setProviderSpanId("2222222222222222").setProviderStartOffsetUs(300_000).setProviderDurationUs(500_000)
                .build();

        List<SpanData> spans = SpanMapping.spans(r);

        assertEquals(3, spans.size());
        SpanData server = spans.get(0);
        assertEquals(SpanKind.SERVER, server.getKind());
        SpanData failed = spans.get(1);
        SpanData answered = spans.get(2);
        assertEquals("chat gpt-4o", failed.getName());
        assertEquals(SpanKind.CLIENT, failed.getKind());
        assertEquals(SERVER, failed.getParentSpanId());
        assertEquals("1111111111111111", failed.getSpanId());
        assertEquals(1L, failed.getAttributes().get(AttributeKey.longKey("tollgate.attempt")));
        assertEquals("chat#0", failed.getAttributes().get(AttributeKey.stringKey("tollgate.deployment")));
        assertEquals("azure.ai.openai", failed.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name")));
        assertEquals("provider_error", failed.getAttributes().get(AttributeKey.stringKey("error.type")));
        assertEquals("example.openai.azure.com", failed.getAttributes().get(AttributeKey.stringKey("server.address")));
        assertNull(failed.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")),
                "a failed call consumed nothing");
        assertEquals(StatusCode.ERROR, failed.getStatus().getStatusCode());
        assertEquals(r.getStartedAtMs() * 1_000_000 + 1_000_000, failed.getStartEpochNanos());
        assertEquals(failed.getStartEpochNanos() + 200_000_000, failed.getEndEpochNanos());

        assertEquals("chat gpt-4o-mini", answered.getName());
        assertEquals(SERVER, answered.getParentSpanId());
        assertEquals("2222222222222222", answered.getSpanId());
        assertEquals(2L, answered.getAttributes().get(AttributeKey.longKey("tollgate.attempt")));
        assertEquals("chat#1", answered.getAttributes().get(AttributeKey.stringKey("tollgate.deployment")));
        assertNull(answered.getAttributes().get(AttributeKey.stringKey("error.type")));
        assertEquals(7L, answered.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")));
        assertEquals("api.openai.com", answered.getAttributes().get(AttributeKey.stringKey("server.address")));
        assertEquals(StatusCode.UNSET, answered.getStatus().getStatusCode());
    }

    @Test
    void aRecordWithoutAttemptSpansKeepsOneClientSpanFromItsProviderFields() {
        UsageRecord r = record().setAttempts(1)
                .addRouterAttempts(RouterAttempt.newBuilder().setDeploymentId("chat#1").setStatus(200))
                .setProviderSpanId("3333333333333333").setProviderStartOffsetUs(10).setProviderDurationUs(20)
                .build();

        List<SpanData> spans = SpanMapping.spans(r);

        assertEquals(2, spans.size());
        SpanData client = spans.get(1);
        assertEquals("chat gpt-4o-mini", client.getName());
        assertEquals("3333333333333333", client.getSpanId());
        assertEquals(SERVER, client.getParentSpanId());
        assertEquals("chat#1", client.getAttributes().get(AttributeKey.stringKey("tollgate.deployment")));
        assertEquals(1L, client.getAttributes().get(AttributeKey.longKey("tollgate.attempt")));
    }
}
