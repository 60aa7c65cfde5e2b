package dev.tollgate.sidecar.provider.bedrock;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.testing.CannedHttpClient;
import dev.tollgate.sidecar.testing.FuzzInput;
import dev.tollgate.sidecar.testing.ProviderFuzz;
import dev.tollgate.sidecar.testing.ProviderFuzz.Operation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any answer from Bedrock: Converse JSON, ConverseStream eventstreams, InvokeModel embeddings (Titan and
 * Cohere), AWS error bodies and headers. A fuzzer cannot forge CRC32s, so a stream body is by default a
 * list of lines {@code <message-type>|<event-or-exception-type>|<payload>} that the test frames with correct
 * checksums (the decoder's framing itself is fuzzed by {@link EventStreamDecoderFuzzTest}); with control bit
 * 16 the body goes out as raw bytes. Input: a control byte (bits 0-1: operation, bit 2: include_usage,
 * bit 4: raw stream, bit 5: Cohere rather than Titan), then {@link ProviderFuzz#answer}'s layout.
 */
class BedrockResponseFuzzTest {

    private static final CannedHttpClient HTTP = new CannedHttpClient();
    private static final BedrockAdapter ADAPTER = new BedrockAdapter(HTTP,
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    private static final Map<String, String> AWS = Map.of("aws_region_name", "us-east-1",
            "aws_access_key_id", "AKIAFUZZFUZZFUZZFUZZ", "aws_secret_access_key", ProviderFuzz.KEY);
    private static final Deployment CONVERSE = ProviderFuzz.deployment("bedrock",
            "anthropic.claude-3-haiku-20240307-v1:0", AWS);
    private static final Deployment TITAN = ProviderFuzz.deployment("bedrock", "amazon.titan-embed-text-v2:0", AWS);
    private static final Deployment COHERE = ProviderFuzz.deployment("bedrock", "cohere.embed-english-v3", AWS);

    @DictionaryFile(resourcePath = "/dev/tollgate/sidecar/fuzz-json.dict")
    @FuzzTest(maxDuration = "8s")
    void anyAnswerIsTranslatedOrAClearError(byte[] input) {
        FuzzInput in = new FuzzInput(input);
        int control = in.u8();
        Operation op = Operation.values()[(control & 3) % 3];
        ProviderFuzz.answer(HTTP, in, "x-amzn-errortype", "retry-after", "x-amzn-requestid",
                "x-amzn-bedrock-input-token-count");
        if (op == Operation.STREAM && (control & 16) == 0) {
            HTTP.rebody(List.of(frames(HTTP.body())));
        }
        Deployment d = op != Operation.EMBED ? CONVERSE : (control & 32) != 0 ? COHERE : TITAN;
        ProviderFuzz.assertRelayedOrClearError(ADAPTER, op, ProviderFuzz.call(d, ProviderFuzz.request(op), (control & 4) != 0), true);
    }

    /** Each line {@code type|name|payload} as one eventstream message with valid checksums. */
    static byte[] frames(byte[] lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : new String(lines, StandardCharsets.UTF_8).split("\n", -1)) {
            String[] parts = line.split("\\|", 3);
            String type = parts[0];
            String name = parts.length > 1 ? parts[1] : "";
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(":message-type", type);
            headers.put(switch (type) {
                case "event" -> ":event-type";
                case "exception" -> ":exception-type";
                default -> ":error-code";
            }, name);
            headers.put(":content-type", "application/json");
            byte[] payload = (parts.length > 2 ? parts[2] : "").getBytes(StandardCharsets.UTF_8);
            if (type.equals("error")) {
                headers.put(":error-message", new String(payload, StandardCharsets.UTF_8));
            }
            out.writeBytes(EventStreamEncoder.encode(headers, payload));
        }
        return out.toByteArray();
    }
}
