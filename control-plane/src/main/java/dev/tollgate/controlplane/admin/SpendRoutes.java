package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tollgate.controlplane.keys.KeyHashing;
import dev.tollgate.controlplane.keys.KeyRecord;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.usage.UsageRepository;
import io.helidon.webserver.http.ServerRequest;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code GET /spend/logs}: stored usage records, newest first, filtered by {@code api_key}
 * (a key or its hash) and {@code model} (alias), paginated with {@code limit}/{@code offset}.
 * Thread-safe.
 */
public final class SpendRoutes {

    private static final int MAX_LIMIT = 1000;

    private final UsageRepository usage;
    private final KeyRepository keys;

    public SpendRoutes(UsageRepository usage, KeyRepository keys) {
        this.usage = usage;
        this.keys = keys;
    }

    JsonNode logs(ServerRequest req) throws Exception {
        Optional<UUID> keyId = Optional.empty();
        Optional<String> key = req.query().first("api_key").asOptional();
        if (key.isPresent()) {
            String hash = KeyHashing.isHash(key.get()) ? key.get() : KeyHashing.sha256Hex(key.get());
            keyId = Optional.of(keys.findByHash(hash).map(KeyRecord::id).orElseThrow(() ->
                    AdminException.notFound("api_key", "no such virtual key (never created, or deleted)")));
        }
        int limit = intParam(req, "limit", 100);
        int offset = intParam(req, "offset", 0);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw AdminException.badRequest("limit", "limit: " + limit + " (expected: 1-" + MAX_LIMIT + ")");
        }
        ArrayNode out = AdminServer.JSON.createArrayNode();
        for (UsageRepository.UsageRow r : usage.find(keyId, req.query().first("model").asOptional(), limit, offset)) {
            out.addObject()
                    .put("request_id", r.id())
                    .put("key_id", r.keyId() == null ? null : r.keyId().toString())
                    .put("model_group", r.alias())
                    .put("deployment", r.deploymentId())
                    .put("custom_llm_provider", r.provider())
                    .put("model", r.model())
                    .put("prompt_tokens", r.promptTokens())
                    .put("completion_tokens", r.completionTokens())
                    .put("total_tokens", r.promptTokens() + r.completionTokens())
                    .put("spend", BigDecimal.valueOf(r.costMicros(), 6))
                    .put("latency_ms", r.latencyMs())
                    .put("status", r.httpStatus())
                    .put("error_type", r.errorType())
                    .put("stream", r.stream())
                    .put("sidecar", r.sidecarName())
                    .put("trace_id", r.traceId())
                    .put("startTime", r.startedAt().toString());
        }
        return out;
    }

    private static int intParam(ServerRequest req, String name, int fallback) {
        Optional<String> text = req.query().first(name).asOptional();
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(text.get());
        } catch (NumberFormatException e) {
            throw AdminException.badRequest(name, name + ": '" + text.get() + "' (expected: an integer)");
        }
    }
}
