package dev.tollgate.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a sidecar spent its CPU and its allocations under load, from a JFR recording:
 * execution samples by top frame (self), by the Tollgate frame nearest the top (which of our
 * methods led into the hot library code), and by every Tollgate frame on the stack (inclusive);
 * allocation samples by the Tollgate frame nearest the top. Immutable once read.
 *
 * @param file             the recording
 * @param samples          execution samples in the recording
 * @param samplesInTollgate samples with a Tollgate frame anywhere on the stack
 * @param selfTop          top frames by sample count
 * @param nearestTollgate  nearest Tollgate frame by sample count
 * @param inclusiveTollgate Tollgate methods by samples with them on the stack
 * @param allocationByTollgate nearest Tollgate frame by sampled allocation weight (bytes)
 */
public record JfrSummary(Path file, long samples, long samplesInTollgate, Map<String, Long> selfTop,
                         Map<String, Long> nearestTollgate, Map<String, Long> inclusiveTollgate,
                         Map<String, Long> allocationByTollgate) {

    private static final String OWN_PREFIX = "dev.tollgate.";
    private static final int TOP = 15;

    public static JfrSummary read(Path file) throws IOException {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> nearest = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        Map<String, Long> alloc = new HashMap<>();
        long samples = 0;
        long inOwn = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                String type = e.getEventType().getName();
                RecordedStackTrace stack = e.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                List<RecordedFrame> frames = stack.getFrames();
                if (type.equals("jdk.ExecutionSample")) {
                    samples++;
                    self.merge(name(frames.get(0).getMethod()), 1L, Long::sum);
                    String own = nearestOwn(frames);
                    if (own != null) {
                        inOwn++;
                        nearest.merge(own, 1L, Long::sum);
                    }
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame f : frames) {
                        String n = name(f.getMethod());
                        if (n.startsWith(OWN_PREFIX) && seen.add(n)) {
                            inclusive.merge(n, 1L, Long::sum);
                        }
                    }
                } else if (type.equals("jdk.ObjectAllocationSample")) {
                    String own = nearestOwn(frames);
                    alloc.merge(own == null ? "(no Tollgate frame: server, gRPC, JDK)" : own,
                            e.getLong("weight"), Long::sum);
                }
            }
        }
        return new JfrSummary(file, samples, inOwn, top(self), top(nearest), top(inclusive), top(alloc));
    }

    private static String nearestOwn(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String n = name(f.getMethod());
            if (n.startsWith(OWN_PREFIX)) {
                return n;
            }
        }
        return null;
    }

    private static String name(RecordedMethod m) {
        return m == null ? "(unknown)" : m.getType().getName() + "." + m.getName();
    }

    private static Map<String, Long> top(Map<String, Long> counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(TOP)
                .forEach(en -> out.put(en.getKey(), en.getValue()));
        return out;
    }
}
