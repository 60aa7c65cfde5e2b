package dev.tollgate.sidecar.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import dev.tollgate.proto.control.v1.UsageRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool's file across crashes, formats and growth. A crash of the sidecar process is a spool
 * that is never closed: its mapping stays as the process left it, and the next spool on the same
 * file (the restarted sidecar) reads the page cache exactly as a new process would.
 */
class UsageSpoolFileTest {

    private static final long RESEND_AFTER_MS = 10_000;
    private static final int SMALL_WINDOW = 4096;

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();
    private final Logger logger = Logger.getLogger(SpoolFile.class.getName());
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (warnings) {
                    warnings.add(r.getMessage());
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    /** Spools left open on purpose (crashed processes), closed after the test to free their files. */
    private final List<UsageSpool> crashed = new ArrayList<>();

    @BeforeEach
    void captureWarnings() {
        logger.addHandler(handler);
    }

    @AfterEach
    void release() throws IOException {
        logger.removeHandler(handler);
        for (UsageSpool s : crashed) {
            s.close();
        }
    }

    private Path file() {
        return dir.resolve("usage.spool");
    }

    private static UsageRecord record(String id) {
        return UsageRecord.newBuilder().setId(id).setAlias("mock-chat").setPromptTokens(12).setCompletionTokens(7).build();
    }

    private static byte[] delimited(UsageRecord r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.writeDelimitedTo(out);
        return out.toByteArray();
    }

    private static long delimitedSize(List<UsageRecord> records) {
        return records.stream().mapToLong(r -> CodedOutputStream.computeUInt32SizeNoTag(r.getSerializedSize())
                + r.getSerializedSize()).sum();
    }

    private UsageSpool crashedAfter(int window, List<UsageRecord> records) throws IOException {
        UsageSpool spool = new UsageSpool(file(), window);
        crashed.add(spool);
        for (UsageRecord r : records) {
            spool.append(r);
        }
        return spool;
    }

    private static List<String> pendingIds(UsageSpool spool) {
        return spool.takeBatch(Integer.MAX_VALUE, 1_000, RESEND_AFTER_MS).stream().map(UsageRecord::getId).toList();
    }

    private void writeAt(long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    @Test
    void aCrashBeforeTheLengthIsStoredLeavesEveryEarlierRecordAndNoWarning() throws IOException {
        List<UsageRecord> written = List.of(record("r1"), record("r2"));
        crashedAfter(SMALL_WINDOW, written);
        // How the mapped writer leaves a record the crash interrupted: body in place, length byte still 0.
        byte[] r3 = delimited(record("r3"));
        writeAt(delimitedSize(written) + 1, Arrays.copyOfRange(r3, 1, r3.length));

        try (UsageSpool restarted = new UsageSpool(file())) {
            assertEquals(List.of("r1", "r2"), pendingIds(restarted));
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void aRecordCutShortMidWriteIsDroppedWithAWarningAndTheRestKept() throws IOException {
        List<UsageRecord> written = List.of(record("r1"), record("r2"));
        crashedAfter(SMALL_WINDOW, written);
        byte[] r3 = delimited(record("r3"));
        writeAt(delimitedSize(written), Arrays.copyOf(r3, r3.length / 2)); // zeros of the mapping follow

        try (UsageSpool restarted = new UsageSpool(file())) {
            assertEquals(List.of("r1", "r2"), pendingIds(restarted));
            restarted.append(record("r4"));
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains("partial record"), warnings.toString());
        try (UsageSpool again = new UsageSpool(file())) {
            assertEquals(List.of("r1", "r2", "r4"), pendingIds(again));
        }
    }

    @Test
    void aSpoolFileWrittenByTheUnmappedWriterRecovers() throws IOException {
        // The earlier format: records appended with write(2), the file ending exactly after the last one.
        try (OutputStream out = Files.newOutputStream(file())) {
            for (String id : List.of("r1", "r2", "r3")) {
                record(id).writeDelimitedTo(out);
            }
        }

        try (UsageSpool restarted = new UsageSpool(file())) {
            assertEquals(List.of("r1", "r2", "r3"), pendingIds(restarted));
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void aCleanCloseLeavesExactlyTheRecords() throws IOException {
        List<UsageRecord> written = List.of(record("r1"), record("r2"));
        try (UsageSpool spool = new UsageSpool(file(), SMALL_WINDOW)) {
            for (UsageRecord r : written) {
                spool.append(r);
            }
            assertEquals(SMALL_WINDOW, Files.size(file()), "while open, the file is its mapped window");
        }
        byte[] expected = new byte[0];
        for (UsageRecord r : written) {
            byte[] d = delimited(r);
            expected = Arrays.copyOf(expected, expected.length + d.length);
            System.arraycopy(d, 0, expected, expected.length - d.length, d.length);
        }
        assertEquals(Arrays.toString(expected), Arrays.toString(Files.readAllBytes(file())),
                "the same bytes the unmapped writer wrote");
    }

    @Test
    void afterEverythingIsAcknowledgedTheReusedFileRecoversNoStaleRecord() throws IOException {
        List<UsageRecord> acked = IntStream.range(0, 20)
                .mapToObj(i -> record("an-acknowledged-record-with-a-long-id-" + i)).toList();
        UsageSpool spool = crashedAfter(SMALL_WINDOW, acked);
        pendingIds(spool); // sent, then acknowledged
        spool.acknowledge(acked.stream().map(UsageRecord::getId).toList());
        spool.append(record("r1")); // shorter than what it overwrites: stale bytes follow it
        assertEquals(SMALL_WINDOW, Files.size(file()), "the file is reused, not grown");

        try (UsageSpool restarted = new UsageSpool(file())) {
            assertEquals(List.of("r1"), pendingIds(restarted));
            restarted.acknowledge(List.of("r1"));
        }
        try (UsageSpool again = new UsageSpool(file())) {
            assertEquals(List.of(), pendingIds(again));
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void recordsPastTheInitialMappingAndLargerThanAWindowAreKept() throws IOException {
        List<UsageRecord> written = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            written.add(record("r" + i));
        }
        written.add(record("large").toBuilder().setAlias("a".repeat(3 * SMALL_WINDOW)).build());
        written.add(record("after-large"));
        crashedAfter(SMALL_WINDOW, written);
        assertTrue(Files.size(file()) > 4 * SMALL_WINDOW, "the file grew past its first window");

        try (UsageSpool restarted = new UsageSpool(file(), SMALL_WINDOW)) {
            assertEquals(written, restarted.takeBatch(Integer.MAX_VALUE, 1_000, RESEND_AFTER_MS));
            restarted.acknowledge(written.stream().map(UsageRecord::getId).toList());
            assertEquals(SMALL_WINDOW, Files.size(file()), "emptied after growing: back to one window");
        }
    }

    @Test
    void aReplacedFileGivesItsPagesBackAtOnce() throws IOException {
        // Records beyond one window: acknowledging them all replaces the file with an empty one.
        List<UsageRecord> written = IntStream.range(0, 200).mapToObj(i -> record("replaced-record-%04d".formatted(i)))
                .toList();
        UsageSpool spool = crashedAfter(SMALL_WINDOW, written);
        Path oldFile = dir.resolve("old-inode");
        Files.createLink(oldFile, file());
        assertTrue(Files.size(oldFile) > SMALL_WINDOW, "grown past one window: " + Files.size(oldFile));
        spool.acknowledge(pendingIds(spool));

        // The old inode (still mapped by the dropped windows) holds no pages any more.
        assertEquals(0, Files.size(oldFile));
        spool.append(record("after-replacement"));
        try (UsageSpool restarted = new UsageSpool(file())) {
            assertEquals(List.of("after-replacement"), pendingIds(restarted));
        }
    }

    @Test
    void compactionPastTheThresholdKeepsOnlyThePendingRecords() throws IOException {
        // Enough records of ~100 bytes to pass the 4 MiB compaction threshold.
        List<UsageRecord> written = IntStream.range(0, 50_000)
                .mapToObj(i -> record("compaction-record-%06d".formatted(i)).toBuilder().setModel("m".repeat(50)).build())
                .toList();
        UsageSpool spool = crashedAfter(SpoolFile.DEFAULT_WINDOW_BYTES, written);
        long grown = Files.size(file());
        pendingIds(spool);
        spool.acknowledge(written.subList(0, 45_000).stream().map(UsageRecord::getId).toList());
        assertTrue(Files.size(file()) < grown, "compacted: " + Files.size(file()) + " < " + grown);
        spool.append(record("after-compaction"));

        try (UsageSpool restarted = new UsageSpool(file())) {
            List<String> expected = new ArrayList<>(written.subList(45_000, 50_000).stream().map(UsageRecord::getId).toList());
            expected.add("after-compaction");
            assertEquals(expected, pendingIds(restarted));
        }
    }

    @Test
    void fileMostlyPendingIsNotRewrittenOnEveryAcknowledgement() throws IOException {
        List<UsageRecord> written = IntStream.range(0, 50_000)
                .mapToObj(i -> record("steady-record-%06d".formatted(i)).toBuilder().setModel("m".repeat(50)).build())
                .toList();
        UsageSpool spool = crashedAfter(SpoolFile.DEFAULT_WINDOW_BYTES, written);
        long grown = Files.size(file());
        pendingIds(spool);
        // Under sustained load most of the file is still pending: rewriting it would cost the whole set.
        for (int from = 0; from < 20_000; from += 500) {
            spool.acknowledge(written.subList(from, from + 500).stream().map(UsageRecord::getId).toList());
            assertEquals(grown, Files.size(file()), "not rewritten while " + (50_000 - from - 500) + " are pending");
        }
        // Once the pending records are a quarter of the file or less, it is compacted.
        spool.acknowledge(written.subList(20_000, 40_000).stream().map(UsageRecord::getId).toList());
        assertTrue(Files.size(file()) < grown / 2, "compacted: " + Files.size(file()) + " of " + grown);
        spool.close();
        try (UsageSpool restarted = new UsageSpool(file())) {
            assertEquals(written.subList(40_000, 50_000).stream().map(UsageRecord::getId).toList(), pendingIds(restarted));
        }
    }

    @Test
    void concurrentAppendsAreEachRecoveredExactlyOnce() throws Exception {
        int threads = 8;
        int each = 500;
        UsageSpool spool = crashedAfter(SMALL_WINDOW, List.of());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        spool.append(record("t" + thread + "-" + i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        try (UsageSpool restarted = new UsageSpool(file())) {
            List<String> ids = pendingIds(restarted);
            assertEquals(threads * each, ids.size());
            assertEquals(threads * each, new HashSet<>(ids).size(), "no record twice");
            for (int t = 0; t < threads; t++) {
                String prefix = "t" + t + "-";
                List<String> ofThread = ids.stream().filter(id -> id.startsWith(prefix)).toList();
                assertEquals(IntStream.range(0, each).mapToObj(i -> prefix + i).toList(), ofThread,
                        "each thread's records in the order it appended them");
            }
        }
        assertEquals(List.of(), warnings);
    }
}
