package dev.tollgate.sidecar.telemetry;

import dev.tollgate.proto.control.v1.UsageRecord;
import java.math.BigDecimal;

/**
 * Turns each finished request's usage record into metrics and one structured log line (text by
 * default, JSON with {@code --log-format json}). Never logs a key or prompt: the record holds
 * neither. Thread-safe.
 */
public final class RequestObserver {

    /** How request lines are written. */
    public enum LogFormat { TEXT, JSON, OFF }

    private static final System.Logger LOG = System.getLogger("tollgate.request");

    private final Metrics metrics;
    private final LogFormat format;

    public RequestObserver(Metrics metrics, LogFormat format) {
        this.metrics = metrics;
        this.format = format;
    }

    public void observe(UsageRecord r) {
        String status = Integer.toString(r.getHttpStatus());
        metrics.count("tollgate_requests_total", "Proxied requests by alias, deployment, provider and HTTP status.", 1,
                "alias", r.getAlias(), "deployment", r.getDeploymentId(), "provider", r.getProvider(), "status", status);
        double seconds = r.getDurationUs() / 1e6;
        metrics.observe("tollgate_request_duration_seconds", "Gateway request duration.", Metrics.SECONDS_BUCKETS,
                seconds, "alias", r.getAlias());
        // Every provider call counts as provider time, retries and fallbacks included.
        long providerUs = r.getRouterAttemptsCount() > 0
                ? r.getRouterAttemptsList().stream().mapToLong(a -> a.getDurationUs()).sum()
                : r.getProviderDurationUs();
        if (providerUs > 0) {
            metrics.observe("tollgate_gateway_overhead_seconds", "Request duration minus provider call time.",
                    Metrics.SECONDS_BUCKETS, Math.max(0, r.getDurationUs() - providerUs) / 1e6,
                    "alias", r.getAlias());
        }
        if (r.getStream() && r.getTtftMs() > 0) {
            metrics.observe("tollgate_time_to_first_token_seconds", "Time to the first streamed chunk.",
                    Metrics.SECONDS_BUCKETS, r.getTtftMs() / 1e3, "alias", r.getAlias());
        }
        metrics.count("tollgate_tokens_total", "Tokens by alias and type (gen_ai.client.token.usage).",
                r.getPromptTokens(), "alias", r.getAlias(), "type", "input");
        metrics.count("tollgate_tokens_total", "Tokens by alias and type (gen_ai.client.token.usage).",
                r.getCompletionTokens(), "alias", r.getAlias(), "type", "output");
        metrics.count("tollgate_cost_usd_total", "Cost in USD by alias.", r.getCostMicros() / 1e6, "alias", r.getAlias());
        if (r.getAttempts() > 1) {
            metrics.count("tollgate_retries_total", "Provider attempts beyond the first.", r.getAttempts() - 1,
                    "alias", r.getAlias());
        }
        if (!r.getFallbackFrom().isEmpty() && r.getHttpStatus() < 400) {
            metrics.count("tollgate_fallbacks_total", "Requests answered by a fallback alias, by that alias and the "
                    + "alias asked for.", 1, "alias", r.getAlias(), "from", r.getFallbackFrom());
        }
        r.getRouterAttemptsList().stream()
                .filter(a -> !a.getErrorCode().isEmpty() && !a.getErrorCode().equals("client_closed"))
                .forEach(a -> metrics.count("tollgate_provider_errors_total", "Failed provider calls (each attempt) "
                        + "by deployment and error code.", 1, "deployment", a.getDeploymentId(), "code", a.getErrorCode()));
        log(r);
    }

    private void log(UsageRecord r) {
        if (format == LogFormat.OFF || !LOG.isLoggable(System.Logger.Level.INFO)) {
            return;
        }
        String cost = BigDecimal.valueOf(r.getCostMicros(), 6).toPlainString();
        String line = format == LogFormat.JSON
                ? "{\"request_id\":\"" + r.getId() + "\",\"route\":\"" + json(r.getRoute()) + "\",\"alias\":\""
                + json(r.getAlias()) + "\",\"deployment\":\"" + json(r.getDeploymentId()) + "\",\"provider\":\""
                + json(r.getProvider()) + "\",\"model\":\"" + json(r.getModel()) + "\",\"status\":" + r.getHttpStatus()
                + ",\"error_type\":\"" + json(r.getErrorType()) + "\",\"attempts\":" + r.getAttempts()
                + ",\"latency_ms\":" + r.getLatencyMs() + ",\"ttft_ms\":" + r.getTtftMs() + ",\"stream\":" + r.getStream()
                + ",\"prompt_tokens\":" + r.getPromptTokens() + ",\"completion_tokens\":" + r.getCompletionTokens()
                + ",\"cost_usd\":" + cost + ",\"key_alias\":\"" + json(r.getKeyAlias()) + "\",\"trace_id\":\""
                + r.getTraceId() + "\"}"
                : "request " + r.getId() + " " + r.getRoute() + " alias=" + r.getAlias() + " deployment="
                + r.getDeploymentId() + " provider=" + r.getProvider() + " model=" + r.getModel() + " status="
                + r.getHttpStatus() + (r.getErrorType().isEmpty() ? "" : " error=" + r.getErrorType()) + " attempts="
                + r.getAttempts() + " latency_ms=" + r.getLatencyMs() + (r.getStream() ? " ttft_ms=" + r.getTtftMs() : "")
                + " tokens=" + r.getPromptTokens() + "/" + r.getCompletionTokens() + " cost_usd=" + cost
                + " key_alias=" + r.getKeyAlias() + " trace_id=" + r.getTraceId();
        LOG.log(System.Logger.Level.INFO, line);
    }

    private static String json(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
