package dev.tollgate.controlplane.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.controlplane.budget.Money;
import dev.tollgate.controlplane.keys.KeyRecord;
import dev.tollgate.controlplane.keys.KeyRepository;
import dev.tollgate.controlplane.usage.SpendQueries;
import io.helidon.webserver.http.ServerRequest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code GET /spend/logs} (stored usage records, newest first) and {@code GET /global/spend/report}
 * (spend grouped by key, key_alias, team, user, alias, provider, model or day). Both take the
 * filters {@code api_key} (a key or its hash), {@code key_alias}, {@code team_id}, {@code user_id},
 * {@code model} (alias), {@code request_id}, {@code start_date} and {@code end_date}
 * ({@code YYYY-MM-DD}, both inclusive, or ISO instants, end exclusive). Thread-safe.
 */
public final class SpendRoutes {

    private static final int MAX_LIMIT = 1000;

    private final SpendQueries spend;
    private final KeyRepository keys;

    public SpendRoutes(SpendQueries spend, KeyRepository keys) {
        this.spend = spend;
        this.keys = keys;
    }

    JsonNode logs(ServerRequest req) throws Exception {
        SpendQueries.Filter filter = filter(req);
        int limit = intParam(req, "limit", intParam(req, "page_size", 100));
        int offset = intParam(req, "offset", (intParam(req, "page", 1) - 1) * limit);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw AdminException.badRequest("limit", "limit: " + limit + " (expected: 1-" + MAX_LIMIT + ")");
        }
        if (offset < 0) {
            throw AdminException.badRequest("offset", "offset: " + offset + " (expected: >= 0)");
        }
        ArrayNode out = AdminServer.JSON.createArrayNode();
        for (SpendQueries.UsageRow r : spend.find(filter, limit, offset)) {
            out.addObject()
                    .put("request_id", r.id())
                    .put("key_id", r.keyId() == null ? null : r.keyId().toString())
                    .put("key_alias", r.keyAlias())
                    .put("team_id", r.teamId())
                    .put("user", r.userId())
                    .put("model_group", r.alias())
                    .put("deployment", r.deploymentId())
                    .put("custom_llm_provider", r.provider())
                    .put("model", r.model())
                    .put("prompt_tokens", r.promptTokens())
                    .put("completion_tokens", r.completionTokens())
                    .put("cached_tokens", r.cachedTokens())
                    .put("total_tokens", r.promptTokens() + r.completionTokens())
                    .put("spend", Money.usd(r.costMicros()))
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

    JsonNode report(ServerRequest req) throws Exception {
        String groupText = req.query().first("group_by").asOptional().orElse("key");
        SpendQueries.GroupBy groupBy;
        try {
            groupBy = SpendQueries.GroupBy.valueOf(groupText.toUpperCase(Locale.ROOT).replace("API_KEY", "KEY"));
        } catch (IllegalArgumentException e) {
            throw AdminException.badRequest("group_by", "group_by: '" + groupText
                    + "' (expected: key, key_alias, team, user, alias, provider, model or day)");
        }
        SpendQueries.Filter filter = filter(req);
        ObjectNode out = AdminServer.JSON.createObjectNode();
        out.put("group_by", groupText);
        out.put("start_date", filter.from().map(Instant::toString).orElse(null));
        out.put("end_date", filter.to().map(Instant::toString).orElse(null));
        ArrayNode rows = out.putArray("rows");
        long total = 0;
        long requests = 0;
        for (SpendQueries.ReportRow r : spend.report(groupBy, filter)) {
            rows.addObject()
                    .put(groupText, r.group())
                    .put("spend", Money.usd(r.costMicros()))
                    .put("requests", r.requests())
                    .put("prompt_tokens", r.promptTokens())
                    .put("completion_tokens", r.completionTokens())
                    .put("total_tokens", r.promptTokens() + r.completionTokens());
            total += r.costMicros();
            requests += r.requests();
        }
        out.put("total_spend", Money.usd(total));
        out.put("total_requests", requests);
        return out;
    }

    private SpendQueries.Filter filter(ServerRequest req) throws Exception {
        Optional<List<UUID>> keyIds = Optional.empty();
        Optional<String> key = req.query().first("api_key").asOptional();
        if (key.isPresent()) {
            keyIds = Optional.of(List.of(keys.findByHash(KeyRoutes.hashOf(key.get())).map(KeyRecord::id).orElseThrow(() ->
                    AdminException.notFound("api_key", "no such virtual key (never created, or deleted)"))));
        }
        Optional<String> keyAlias = req.query().first("key_alias").asOptional();
        if (keyAlias.isPresent()) {
            List<UUID> ids = new ArrayList<>(keys.byKeyAlias(keyAlias.get()).stream().map(KeyRecord::id).toList());
            if (keyIds.isPresent()) {
                ids.retainAll(keyIds.get());
            }
            keyIds = Optional.of(ids);
        }
        Optional<String> alias = req.query().first("model").asOptional()
                .or(() -> req.query().first("model_group").asOptional());
        return new SpendQueries.Filter(keyIds, req.query().first("team_id").asOptional(),
                req.query().first("user_id").asOptional(), alias, req.query().first("request_id").asOptional(),
                time(req, "start_date", false), time(req, "end_date", true));
    }

    /** {@code YYYY-MM-DD} (a whole UTC day; an end date includes its day) or an ISO instant. */
    private static Optional<Instant> time(ServerRequest req, String name, boolean end) {
        Optional<String> text = req.query().first(name).asOptional();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (text.get().length() == 10) {
                LocalDate day = LocalDate.parse(text.get());
                return Optional.of((end ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant());
            }
            return Optional.of(Instant.parse(text.get()));
        } catch (DateTimeParseException e) {
            throw AdminException.badRequest(name, name + ": '" + text.get()
                    + "' (expected: YYYY-MM-DD or an ISO instant like 2026-01-31T12:00:00Z)");
        }
    }

    static int intParam(ServerRequest req, String name, int fallback) {
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
