package dev.tollgate.sdktests;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** An OTLP/gRPC trace receiver on loopback that keeps every span it is sent, decoded. */
final class OtlpReceiver implements AutoCloseable {

    final List<Span> spans = new CopyOnWriteArrayList<>();
    private final Server server;

    OtlpReceiver() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request,
                                       StreamObserver<ExportTraceServiceResponse> response) {
                        for (ResourceSpans rs : request.getResourceSpansList()) {
                            for (ScopeSpans ss : rs.getScopeSpansList()) {
                                spans.addAll(ss.getSpansList());
                            }
                        }
                        response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                        response.onCompleted();
                    }
                })
                .build()
                .start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getPort();
    }

    static String hex(com.google.protobuf.ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    static Optional<AnyValue> attribute(Span span, String key) {
        return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue)
                .findFirst();
    }

    List<Span> inTrace(String traceId) {
        return spans.stream().filter(s -> hex(s.getTraceId()).equals(traceId)).toList();
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
