package dev.tollgate.controlplane.telemetry;

import dev.tollgate.proto.control.v1.UsageRecord;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Exports the spans of stored usage records over OTLP (gRPC or HTTP/protobuf) from one background
 * thread, so ingest never waits on the collector. The queue is bounded: when the collector cannot
 * keep up, records are dropped from tracing (never from the database) and counted. Thread-safe.
 */
public final class TraceExport implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TraceExport.class.getName());
    private static final int QUEUE = 20_000;
    private static final int BATCH = 512;

    /** OTLP transport. */
    public enum Protocol { GRPC, HTTP_PROTOBUF }

    private final SpanExporter exporter;
    private final BlockingQueue<UsageRecord> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread worker;
    private final LongAdder exported = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile boolean running = true;

    TraceExport(SpanExporter exporter) {
        this.exporter = exporter;
        this.worker = Thread.ofPlatform().daemon().name("tollgate-otlp").start(this::run);
    }

    /**
     * An exporter for {@code endpoint} (e.g. {@code http://jaeger:4317} for gRPC, {@code http://jaeger:4318}
     * for HTTP), or empty when no endpoint is configured (tracing off).
     */
    public static Optional<TraceExport> create(Optional<String> endpoint, Protocol protocol) {
        if (endpoint.isEmpty() || endpoint.get().isBlank()) {
            return Optional.empty();
        }
        String base = endpoint.get().endsWith("/") ? endpoint.get().substring(0, endpoint.get().length() - 1)
                : endpoint.get();
        SpanExporter exporter = switch (protocol) {
            case GRPC -> OtlpGrpcSpanExporter.builder().setEndpoint(base).setTimeout(10, TimeUnit.SECONDS).build();
            case HTTP_PROTOBUF -> OtlpHttpSpanExporter.builder()
                    .setEndpoint(base.endsWith("/v1/traces") ? base : base + "/v1/traces")
                    .setTimeout(10, TimeUnit.SECONDS).build();
        };
        return Optional.of(new TraceExport(exporter));
    }

    /** Queues the records' spans for export; never blocks. */
    public void offer(List<UsageRecord> records) {
        for (UsageRecord r : records) {
            if (!queue.offer(r)) {
                dropped.increment();
            }
        }
    }

    private void run() {
        List<UsageRecord> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                UsageRecord first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                List<SpanData> spans = new ArrayList<>(batch.size() * 2);
                batch.forEach(r -> spans.addAll(SpanMapping.spans(r)));
                CompletableResultCode result = exporter.export(spans).join(15, TimeUnit.SECONDS);
                if (result.isSuccess()) {
                    exported.add(spans.size());
                } else {
                    failed.add(spans.size());
                    LOG.log(System.Logger.Level.WARNING, "OTLP export of " + spans.size() + " span(s) failed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failed.add(batch.size());
                LOG.log(System.Logger.Level.WARNING, "OTLP export failed: " + e);
            } finally {
                batch.clear();
            }
        }
    }

    public long exported() {
        return exported.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    public long failed() {
        return failed.sum();
    }

    @Override
    public void close() {
        running = false;
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exporter.shutdown().join(5, TimeUnit.SECONDS);
    }
}
