package dev.tollgate.sidecar.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.UsageRecord;
import dev.tollgate.sidecar.testing.TestSidecar;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One fake Bedrock and one real sidecar whose aliases point at it: {@code claude} (good keys), {@code claude-drop}
 * (drop_params), {@code claude-session} (temporary credentials), {@code claude-profile} (an inference profile ARN),
 * {@code wrong-secret}, {@code unknown-key}, {@code no-region}, {@code no-keys}, {@code env-ref} (an unresolved os.environ/ secret), {@code unreachable}, {@code titan}
 * and {@code cohere}.
 */
final class BedrockFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    static final String PROFILE = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
            + "us.anthropic.claude-3-5-sonnet-20240620-v1:0";
    static final String WRONG_SECRET = "wrongSecret/0123456789+abcdefghijklmnopqrst";

    final FakeBedrock fake;
    final TestSidecar sidecar;

    BedrockFixture() throws IOException {
        fake = new FakeBedrock();
        String base = fake.url();
        sidecar = new TestSidecar(
                deployment("claude", CLAUDE, base, keys()),
                deployment("claude-drop", CLAUDE, base, with(keys(), "drop_params", "true")),
                deployment("claude-session", CLAUDE, base, Map.of("aws_region_name", SigV4Verifier.REGION,
                        "aws_access_key_id", SigV4Verifier.SESSION_ACCESS_KEY,
                        "aws_secret_access_key", SigV4Verifier.SESSION_SECRET,
                        "aws_session_token", SigV4Verifier.SESSION_TOKEN)),
                deployment("claude-profile", PROFILE, base, keys()),
                deployment("wrong-secret", CLAUDE, base, with(keys(), "aws_secret_access_key", WRONG_SECRET)),
                deployment("unknown-key", CLAUDE, base, with(keys(), "aws_access_key_id", "AKIAUNKNOWNKEY000009")),
                deployment("no-region", CLAUDE, base, without(keys(), "aws_region_name")),
                deployment("no-keys", CLAUDE, base, Map.of("aws_region_name", SigV4Verifier.REGION)),
                deployment("env-ref", CLAUDE, base, with(keys(), "aws_secret_access_key", "os.environ/AWS_SECRET")),
                deployment("unreachable", CLAUDE, "http://127.0.0.1:1", keys()),
                deployment("titan", "amazon.titan-embed-text-v2:0", base, keys()),
                deployment("cohere", "cohere.embed-english-v3", base, keys()));
    }

    static Map<String, String> keys() {
        return Map.of("aws_region_name", SigV4Verifier.REGION,
                "aws_access_key_id", SigV4Verifier.ACCESS_KEY,
                "aws_secret_access_key", SigV4Verifier.SECRET);
    }

    private static Deployment deployment(String alias, String model, String base, Map<String, String> params) {
        // api_key stays empty: bedrock signs with the aws_* params.
        return TestSidecar.deployment(alias, "bedrock", model, base, "", params);
    }

    private static Map<String, String> with(Map<String, String> params, String key, String value) {
        Map<String, String> copy = new HashMap<>(params);
        copy.put(key, value);
        return copy;
    }

    private static Map<String, String> without(Map<String, String> params, String key) {
        Map<String, String> copy = new HashMap<>(params);
        copy.remove(key);
        return copy;
    }

    void reset() {
        fake.answers = FakeBedrock::documented;
        fake.received.clear();
        sidecar.usage.clear();
    }

    /**
     * The usage record of the request that got {@code response}. The sidecar writes it after the response, so wait
     * for it (with a deadline) rather than racing the client.
     */
    UsageRecord usage(java.net.http.HttpResponse<?> response) throws InterruptedException {
        String id = response.headers().firstValue("x-tollgate-request-id").orElseThrow();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (UsageRecord record : sidecar.usage) {
                if (record.getId().equals(id)) {
                    return record;
                }
            }
            Thread.sleep(2);
        }
        throw new AssertionError("no usage record for request " + id);
    }

    /** The JSON objects of an SSE body's {@code data:} lines, and whether it ended with [DONE]. */
    record Sse(List<JsonNode> events, boolean done) {
    }

    static Sse sse(String body) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        boolean done = false;
        for (String line : body.split("\n")) {
            if (line.equals("data: [DONE]")) {
                done = true;
            } else if (line.startsWith("data: ")) {
                events.add(JSON.readTree(line.substring(6)));
            }
        }
        return new Sse(events, done);
    }

    static JsonNode json(String body) throws IOException {
        return JSON.readTree(body);
    }

    @Override
    public void close() {
        sidecar.close();
        fake.close();
    }
}
