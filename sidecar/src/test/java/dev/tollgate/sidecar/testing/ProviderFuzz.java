package dev.tollgate.sidecar.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.sidecar.failure.Failures;
import dev.tollgate.sidecar.failure.GatewayError;
import dev.tollgate.sidecar.failure.GatewayException;
import dev.tollgate.sidecar.provider.ProviderAdapter;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.TokenUsage;
import dev.tollgate.sidecar.provider.anthropic.MessagesSurface;
import dev.tollgate.sidecar.provider.anthropic.SurfaceStream;
import dev.tollgate.sidecar.usage.Pricing;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every provider fuzz test shares: a deployment holding a canary key, a fuzzer-chosen answer
 * (status, headers, body cut at fuzzer-chosen boundaries) for a {@link CannedHttpClient}, and the
 * property every adapter must keep for any answer: it returns a value, or fails with a
 * {@link GatewayException} (or, mid-stream, a {@link JsonProcessingException} or
 * {@link CharConversionException}, which the router maps to {@code provider_bad_response}) whose
 * message does not carry the credential. Anything else — a NullPointerException, ClassCastException,
 * IllegalArgumentException, ArithmeticException... — escapes to Jazzer as a finding. Each answer also
 * goes through what the handlers do next: pricing its usage, and the {@code /v1/messages} surface.
 */
public final class ProviderFuzz {

    /** Planted in every deployment; no error message may ever quote it. */
    public static final String KEY = "sk-fuzzcanary-7f3a9c2e41d8b6057e1f";
    public static final ObjectMapper JSON = new ObjectMapper();

    private ProviderFuzz() {
    }

    /** A priced deployment (as the control plane pushes them), so each answer's usage is priced too. */
    public static Deployment deployment(String provider, String model, Map<String, String> params) {
        return Deployment.newBuilder().setId("fuzz#0").setProvider(provider).setModel(model)
                .setApiBase("http://127.0.0.1:9").setApiKey(KEY)
                .putParams("input_cost_per_token", "0.000003").putParams("output_cost_per_token", "0.000015")
                .putParams("cache_read_input_token_cost", "0.0000003").putAllParams(params).build();
    }

    public static ProviderCall call(Deployment deployment, String requestJson, boolean clientWantsUsage) {
        ObjectNode body;
        try {
            body = (ObjectNode) JSON.readTree(requestJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        body.put("model", deployment.getModel());
        return new ProviderCall(new Failures.Target("fuzz", deployment.getId(), deployment.getProvider()), deployment,
                body, "req-fuzz-1", clientWantsUsage);
    }

    /** Which operation a fuzz input exercises. */
    public enum Operation { CHAT, STREAM, EMBED }

    /** Statuses a provider answers with; control byte values from 128 pick one (below 128: 200). */
    private static final int[] STATUSES = {200, 201, 204, 400, 401, 403, 404, 408, 413, 422, 429, 500, 502, 503,
            504, 529, 599, 302};

    /**
     * Reads an answer for {@code http} from {@code in}: a status byte (mostly 200, where the parsers live); a cut
     * byte (its low 3 bits: how many 16-bit cut positions follow); a header byte (bit i: a value line for
     * {@code headerNames[i]} follows); then the rest of the input is the body, cut into pieces at those positions.
     */
    public static void answer(CannedHttpClient http, FuzzInput in, String... headerNames) {
        int s = in.u8();
        int status = s < 128 ? 200 : STATUSES[s % STATUSES.length];
        int[] cuts = new int[in.u8() & 7];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = in.u16();
        }
        int present = in.u8();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 0; i < headerNames.length; i++) {
            if ((present & (1 << i)) != 0) {
                headers.put(headerNames[i], List.of(in.line(64)));
            }
        }
        http.answer(status, headers, pieces(in.rest(), cuts));
    }

    /** A small valid request for {@code op}; the fuzzed part is the answer. */
    public static String request(Operation op) {
        return switch (op) {
            case CHAT -> "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":16}";
            case STREAM -> "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":16,\"stream\":true}";
            case EMBED -> "{\"input\":[\"a\",\"b\"]}";
        };
    }

    /** {@code body} cut at {@code cuts} (taken modulo its length, in any order); joined, the pieces are the body. */
    public static List<byte[]> pieces(byte[] body, int[] cuts) {
        int[] at = new int[cuts.length];
        for (int i = 0; i < cuts.length; i++) {
            at[i] = Math.floorMod(cuts[i], body.length + 1);
        }
        Arrays.sort(at);
        List<byte[]> pieces = new ArrayList<>();
        int from = 0;
        for (int to : at) {
            pieces.add(Arrays.copyOfRange(body, from, to));
            from = to;
        }
        pieces.add(Arrays.copyOfRange(body, from, body.length));
        return pieces;
    }

    /**
     * Runs {@code op} through {@code adapter} and checks the property. {@code translated}: the adapter builds
     * its OpenAI output itself (every provider but the OpenAI family, which passes bytes through), so each
     * body and chunk must be a JSON object.
     */
    public static void assertRelayedOrClearError(ProviderAdapter adapter, Operation op, ProviderCall call, boolean translated) {
        String outcome = "value";
        try {
            switch (op) {
                case CHAT -> {
                    ProviderAdapter.ChatResponse r = adapter.chat(call);
                    Pricing.costMicros(call.deployment(), r.usage()); // the handler's x-tollgate-cost-usd
                    if (translated) {
                        assertTrue(object(r.body()), "not a JSON object: " + new String(r.body()));
                    }
                    // What /v1/messages does with the answer.
                    MessagesSurface.toAnthropicResponse(r.body(), "fuzz", r.usage());
                }
                case STREAM -> {
                    SurfaceStream surface = new SurfaceStream("fuzz", call.requestId(), (name, json) -> { });
                    TokenUsage usage = adapter.streamChat(call, chunk -> {
                        if (translated) {
                            assertTrue(object(chunk), "chunk not a JSON object: " + new String(chunk));
                        }
                        surface.chunk(chunk);
                    });
                    surface.finish(usage);
                    Pricing.costMicros(call.deployment(), usage);
                }
                case EMBED -> {
                    ProviderAdapter.EmbeddingResponse r = adapter.embed(call);
                    Pricing.costMicros(call.deployment(), r.usage());
                    if (translated) {
                        assertTrue(object(r.body()), "not a JSON object: " + new String(r.body()));
                    }
                }
            }
        } catch (GatewayException e) {
            outcome = e.error().code() + ": " + e.error().message();
            clear(e.error());
        } catch (JsonProcessingException | CharConversionException e) {
            // Mid-stream: the router answers provider_bad_response ("sent a chunk that is not JSON").
            outcome = "not JSON mid-stream";
        } catch (IOException e) {
            throw new AssertionError("an in-memory answer cannot fail with I/O: " + e, e);
        }
        if (TRACE) {
            System.err.println("fuzz " + call.target().provider() + " " + op + " -> " + outcome);
        }
    }

    /** TOLLGATE_FUZZ_TRACE=1 prints each input's outcome: to check that seeds reach the success paths. */
    private static final boolean TRACE = System.getenv("TOLLGATE_FUZZ_TRACE") != null;

    /** A gateway error a client can act on, without the credential. */
    public static void clear(GatewayError error) {
        clear(error, false);
    }

    /**
     * {@link #clear(GatewayError)}, where {@code clientSentKey}: the request itself held the key's text, so an
     * error quoting the client's own field names or values back to it reveals nothing it did not have.
     */
    public static void clear(GatewayError error, boolean clientSentKey) {
        assertFalse(error.message().isBlank(), "error without a message: " + error);
        assertFalse(!clientSentKey && error.message().contains(KEY),
                "the credential leaked into an error: " + error.message());
        assertFalse(error.code().equals("internal_error"), "an internal error: " + error.message());
    }

    private static boolean object(byte[] json) {
        try {
            JsonNode node = JSON.readTree(json);
            return node != null && node.isObject();
        } catch (IOException e) {
            return false;
        }
    }
}
