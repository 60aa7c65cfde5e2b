package dev.tollgate.controlplane.telemetry;

import dev.tollgate.proto.control.v1.UsageRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The control plane's Prometheus metrics: connected sidecars and the policy version each holds,
 * the current policy version, usage records ingested, spans exported, and what is left of each
 * key's and team's budget (read from the database at scrape time). Thread-safe.
 */
public final class ControlPlaneMetrics {

    private static final System.Logger LOG = System.getLogger(ControlPlaneMetrics.class.getName());

    /** What is left of one budget: {@code entity} "key" or "team", {@code alias} never key text. */
    public record BudgetRemaining(String entity, String id, String alias, long remainingMicros) {
    }

    /** Reads every key's and team's remaining budget; called once per scrape. */
    @FunctionalInterface
    public interface Budgets {
        List<BudgetRemaining> remaining() throws java.sql.SQLException;
    }

    private final LongAdder ingested = new LongAdder();
    private final LongSupplier policyVersion;
    private final Supplier<Map<String, Long>> sidecars;
    private final Optional<TraceExport> traces;
    private final Budgets budgets;

    /**
     * @param sidecars connected sidecar name → acknowledged policy version
     * @param budgets  the keys and teams with a max_budget, and what is left of it
     */
    public ControlPlaneMetrics(LongSupplier policyVersion, Supplier<Map<String, Long>> sidecars,
                               Optional<TraceExport> traces, Budgets budgets) {
        this.policyVersion = policyVersion;
        this.sidecars = sidecars;
        this.traces = traces;
        this.budgets = budgets;
    }

    /** Counts newly stored usage records (hook for the usage repository). */
    public void stored(List<UsageRecord> records) {
        ingested.add(records.size());
    }

    public String scrape() {
        StringBuilder out = new StringBuilder(1024);
        Map<String, Long> connected = sidecars.get();
        gauge(out, "tollgate_policy_version", "Current policy snapshot version.", policyVersion.getAsLong());
        gauge(out, "tollgate_connected_sidecars", "Sidecars holding a control stream to this replica.", connected.size());
        out.append("# HELP tollgate_sidecar_policy_version Policy version each connected sidecar acknowledged.\n")
                .append("# TYPE tollgate_sidecar_policy_version gauge\n");
        connected.forEach((name, version) -> out.append("tollgate_sidecar_policy_version{sidecar=\"")
                .append(name.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"} ").append(version).append('\n'));
        budgetsRemaining(out);
        counter(out, "tollgate_usage_records_ingested_total", "Usage records stored (duplicates excluded).",
                ingested.sum());
        traces.ifPresent(t -> {
            counter(out, "tollgate_spans_exported_total", "Spans exported over OTLP.", t.exported());
            counter(out, "tollgate_spans_dropped_total", "Records not traced because the export queue was full.",
                    t.dropped());
            counter(out, "tollgate_span_export_failures_total", "Spans whose OTLP export failed.", t.failed());
        });
        return out.toString();
    }

    private void budgetsRemaining(StringBuilder out) {
        List<BudgetRemaining> all;
        try {
            all = budgets.remaining();
        } catch (java.sql.SQLException e) {
            // A scrape must still answer with everything else when the database is unreachable.
            LOG.log(System.Logger.Level.WARNING, "tollgate_budget_remaining_usd left out: " + e.getMessage());
            return;
        }
        out.append("# HELP tollgate_budget_remaining_usd What is left of a key's or team's max_budget in its "
                + "current budget window (negative when overspent).\n# TYPE tollgate_budget_remaining_usd gauge\n");
        for (BudgetRemaining b : all) {
            out.append("tollgate_budget_remaining_usd{entity=\"").append(b.entity()).append("\",id=\"")
                    .append(escape(b.id())).append("\",alias=\"").append(escape(b.alias())).append("\"} ")
                    .append(java.math.BigDecimal.valueOf(b.remainingMicros(), 6).stripTrailingZeros().toPlainString())
                    .append('\n');
        }
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" gauge\n").append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" counter\n").append(name).append(' ').append(value).append('\n');
    }
}
