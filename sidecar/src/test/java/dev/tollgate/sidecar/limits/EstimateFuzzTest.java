package dev.tollgate.sidecar.limits;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Deployment;
import java.io.IOException;
import java.util.List;

/**
 * The cost estimate the sidecar reserves against budgets before admitting a request, for any JSON object
 * body (embeddings and {@code /v1/messages} bodies reach it with fields no check has bounded, such as
 * {@code n}): an estimate that is never negative, never an exception. Input: the body.
 */
class EstimateFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Deployment PRICED = Deployment.newBuilder().setId("fuzz#0").setProvider("openai")
            .setModel("m").putParams("input_cost_per_token", "0.000003").putParams("output_cost_per_token", "0.000015")
            .build();
    private static final Deployment CAPPED = PRICED.toBuilder().setId("fuzz#1").putParams("max_output_tokens", "8192")
            .build();

    @DictionaryFile(resourcePath = "/dev/tollgate/sidecar/fuzz-json.dict")
    @FuzzTest(maxDuration = "5s")
    void anyBodyHasAnEstimate(byte[] input) {
        JsonNode body;
        try {
            body = JSON.readTree(input);
        } catch (IOException notJson) {
            return; // refused before any estimate
        }
        if (body == null || !body.isObject()) {
            return;
        }
        Estimate e = Estimate.worst(List.of(PRICED, CAPPED), (ObjectNode) body);
        assertTrue(e.costMicros() >= 0 && e.promptTokens() >= 0 && e.outputTokens() >= 0, e.toString());
    }
}
