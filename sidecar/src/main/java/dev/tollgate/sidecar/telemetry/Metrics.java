package dev.tollgate.sidecar.telemetry;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * A small Prometheus registry: labelled counters, histograms with fixed buckets and gauges read
 * at scrape time, rendered in the text exposition format. Hot-path updates are lock-free
 * (LongAdder/DoubleAdder per series). Thread-safe.
 */
public final class Metrics {

    /** Seconds buckets from 0.5 ms to 60 s: fine at the low end, where gateway overhead lives. */
    public static final double[] SECONDS_BUCKETS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

    private record Gauge(String help, Supplier<List<Sample>> samples) {
    }

    /** One series of a labelled gauge: its value and labels (alternating names and values). */
    public record Sample(double value, String... labels) {
    }

    private static final class Family {
        final String type;
        final String help;
        final double[] buckets;
        /** By label values (names alternating with values): no text is built to find a series. */
        final Map<List<String>, Series> series = new ConcurrentHashMap<>();

        Family(String type, String help, double[] buckets) {
            this.type = type;
            this.help = help;
            this.buckets = buckets;
        }
    }

    private static final class Series {
        /** The labels as exposed, e.g. {@code {alias="gpt",status="200"}}. */
        final String labels;
        final DoubleAdder sum = new DoubleAdder();
        final LongAdder count = new LongAdder();
        final LongAdder[] buckets;

        Series(String labels, int buckets) {
            this.labels = labels;
            this.buckets = new LongAdder[buckets];
            for (int i = 0; i < buckets; i++) {
                this.buckets[i] = new LongAdder();
            }
        }
    }

    /** Adds {@code amount} to a counter; {@code labels} alternate names and values. */
    public void count(String name, String help, double amount, String... labels) {
        series(name, "counter", help, null, labels).sum.add(amount);
    }

    public void observe(String name, String help, double[] buckets, double value, String... labels) {
        Series s = series(name, "histogram", help, buckets, labels);
        s.sum.add(value);
        s.count.increment();
        for (int i = 0; i < buckets.length; i++) {
            if (value <= buckets[i]) {
                s.buckets[i].increment();
                break;
            }
        }
    }

    /** A gauge whose value is read when scraped. */
    public void gauge(String name, String help, DoubleSupplier value) {
        gauges.put(name, new Gauge(help, () -> List.of(new Sample(value.getAsDouble()))));
    }

    /** A labelled gauge whose series are all read when scraped (e.g. one per deployment and state). */
    public void gauges(String name, String help, Supplier<List<Sample>> samples) {
        gauges.put(name, new Gauge(help, samples));
    }

    private Series series(String name, String type, String help, double[] buckets, String[] labels) {
        Family family = families.computeIfAbsent(name, n -> new Family(type, help, buckets));
        List<String> key = Arrays.asList(labels);
        Series known = family.series.get(key);
        if (known != null) {
            return known;
        }
        return family.series.computeIfAbsent(List.of(labels),
                k -> new Series(labelText(labels), buckets == null ? 0 : buckets.length));
    }

    private static String labelText(String[] labels) {
        if (labels.length == 0) {
            return "";
        }
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (i > 0) {
                out.append(',');
            }
            out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
        }
        return out.append('}').toString();
    }

    private static String escape(String value) {
        if (value.indexOf('\\') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        new TreeMap<>(gauges).forEach((name, g) -> {
            out.append("# HELP ").append(name).append(' ').append(g.help())
                    .append("\n# TYPE ").append(name).append(" gauge\n");
            for (Sample sample : g.samples().get()) {
                out.append(name).append(labelText(sample.labels())).append(' ').append(format(sample.value()))
                        .append('\n');
            }
        });
        new TreeMap<>(families).forEach((name, f) -> {
            out.append("# HELP ").append(name).append(' ').append(f.help).append('\n')
                    .append("# TYPE ").append(name).append(' ').append(f.type).append('\n');
            TreeMap<String, Series> byText = new TreeMap<>();
            f.series.values().forEach(s -> byText.put(s.labels, s));
            byText.forEach((labels, s) -> {
                if (f.buckets == null) {
                    out.append(name).append(labels).append(' ').append(format(s.sum.sum())).append('\n');
                    return;
                }
                long cumulative = 0;
                for (int i = 0; i < f.buckets.length; i++) {
                    cumulative += s.buckets[i].sum();
                    out.append(name).append("_bucket").append(withLe(labels, format(f.buckets[i]))).append(' ')
                            .append(cumulative).append('\n');
                }
                out.append(name).append("_bucket").append(withLe(labels, "+Inf")).append(' ').append(s.count.sum())
                        .append('\n');
                out.append(name).append("_sum").append(labels).append(' ').append(format(s.sum.sum())).append('\n');
                out.append(name).append("_count").append(labels).append(' ').append(s.count.sum()).append('\n');
            });
        });
        return out.toString();
    }

    private static String withLe(String labels, String le) {
        return labels.isEmpty() ? "{le=\"" + le + "\"}" : labels.substring(0, labels.length() - 1) + ",le=\"" + le + "\"}";
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
