package dev.tollgate.sidecar.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.proto.control.v1.UsageRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The usage spool on a real file: what is kept, what is offered for sending, what survives a restart. */
class UsageSpoolTest {

    private static final long RESEND_AFTER_MS = 10_000;

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("usage.spool");
    }

    private static UsageRecord record(String id) {
        return UsageRecord.newBuilder().setId(id).setAlias("mock-chat").setPromptTokens(12).setCompletionTokens(7).build();
    }

    private static List<String> ids(List<UsageRecord> records) {
        return records.stream().map(UsageRecord::getId).toList();
    }

    @Test
    void appendWritesTheRecordToTheFile() throws IOException {
        try (UsageSpool spool = new UsageSpool(file())) {
            spool.append(record("r1"));

            assertEquals(1, spool.depth());
            assertTrue(Files.size(file()) > 0);
        }
    }

    @Test
    void aRecordWithoutAnIdIsRefused() throws IOException {
        try (UsageSpool spool = new UsageSpool(file())) {
            // Without an id a record could be empty, and a zero length is where the file ends.
            assertThrows(IllegalArgumentException.class, () -> spool.append(UsageRecord.getDefaultInstance()));
            assertEquals(0, spool.depth());
        }
    }

    @Test
    void takeBatchOffersRecordsInOrderUpToTheLimit() throws IOException {
        try (UsageSpool spool = new UsageSpool(file())) {
            for (String id : List.of("r1", "r2", "r3")) {
                spool.append(record(id));
            }

            assertEquals(List.of("r1", "r2"), ids(spool.takeBatch(2, 1_000, RESEND_AFTER_MS)));
            assertEquals(List.of("r3"), ids(spool.takeBatch(2, 1_000, RESEND_AFTER_MS)));
        }
    }

    @Test
    void takeBatchOffersAnUnacknowledgedRecordAgainOnlyAfterTheResendDelay() throws IOException {
        try (UsageSpool spool = new UsageSpool(file())) {
            spool.append(record("r1"));
            spool.takeBatch(10, 1_000, RESEND_AFTER_MS);

            assertEquals(List.of(), ids(spool.takeBatch(10, 1_000 + RESEND_AFTER_MS - 1, RESEND_AFTER_MS)));
            assertEquals(List.of("r1"), ids(spool.takeBatch(10, 1_000 + RESEND_AFTER_MS, RESEND_AFTER_MS)));
        }
    }

    @Test
    void dueResendsAndNewRecordsComeTogetherInArrivalOrder() throws IOException {
        try (UsageSpool spool = new UsageSpool(file())) {
            spool.append(record("r1"));
            spool.append(record("r2"));
            spool.takeBatch(10, 1_000, RESEND_AFTER_MS);
            spool.acknowledge(List.of("r2"));
            spool.append(record("r3"));
            assertEquals(List.of("r3"), ids(spool.takeBatch(10, 2_000, RESEND_AFTER_MS)));
            spool.append(record("r4"));

            // r1 is due again (r3 is not yet): both it and the never-sent r4, oldest first.
            assertEquals(List.of("r1", "r4"), ids(spool.takeBatch(10, 1_000 + RESEND_AFTER_MS, RESEND_AFTER_MS)));
            assertEquals(List.of("r3"), ids(spool.takeBatch(10, 2_000 + RESEND_AFTER_MS, RESEND_AFTER_MS)));
            assertEquals(List.of(), ids(spool.takeBatch(10, 2_000 + RESEND_AFTER_MS, RESEND_AFTER_MS)));
        }
    }

    @Test
    void acknowledgingEverythingEmptiesTheFile() throws IOException {
        try (UsageSpool spool = new UsageSpool(file())) {
            spool.append(record("r1"));
            spool.append(record("r2"));
            spool.takeBatch(10, 1_000, RESEND_AFTER_MS);

            spool.acknowledge(List.of("r1", "r2"));

            assertEquals(0, spool.depth());
            // The mapped file keeps its size while open; a zero at the start says it holds no record.
            assertEquals(0, Files.readAllBytes(file())[0]);
        }
        assertEquals(0, Files.size(file()), "closed, it is cut to its records: none");
    }

    @Test
    void aNewSpoolOnTheSameFileRecoversUnacknowledgedRecords() throws IOException {
        try (UsageSpool spool = new UsageSpool(file())) {
            spool.append(record("r1"));
            spool.append(record("r2"));
            spool.takeBatch(1, 1_000, RESEND_AFTER_MS);
        }

        try (UsageSpool restarted = new UsageSpool(file())) {
            assertEquals(2, restarted.depth());
            List<UsageRecord> batch = restarted.takeBatch(10, 1_000, RESEND_AFTER_MS);
            assertEquals(List.of(record("r1"), record("r2")), batch,
                    "sent-but-unacknowledged and never-sent records alike are offered again, intact");
        }
    }

    @Test
    void aNewSpoolAfterEverythingWasAcknowledgedHasNothingToSend() throws IOException {
        try (UsageSpool spool = new UsageSpool(file())) {
            spool.append(record("r1"));
            spool.takeBatch(10, 1_000, RESEND_AFTER_MS);
            spool.acknowledge(List.of("r1"));
        }

        try (UsageSpool restarted = new UsageSpool(file())) {
            assertEquals(0, restarted.depth());
        }
    }

    @Test
    void aTruncatedTrailingRecordIsDroppedAndTheRestRecovered() throws IOException {
        try (UsageSpool spool = new UsageSpool(file())) {
            spool.append(record("r1"));
            spool.append(record("r2"));
        }
        long whole = Files.size(file());
        // A crash in the middle of writing r2: cut the file a few bytes short.
        try (var channel = Files.newByteChannel(file(), java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(whole - 3);
        }

        try (UsageSpool restarted = new UsageSpool(file())) {
            assertEquals(List.of("r1"), ids(restarted.takeBatch(10, 1_000, RESEND_AFTER_MS)));
            restarted.append(record("r4"));
        }
        try (UsageSpool again = new UsageSpool(file())) {
            assertEquals(List.of("r1", "r4"), ids(again.takeBatch(10, 1_000, RESEND_AFTER_MS)),
                    "records appended after the recovery are not lost behind the cut one");
        }
    }

    @Test
    void atMostMaxInFlightRecordsAreOutAtOnceAndTheRestFollowAsTheyAreAcknowledged() throws IOException {
        int total = UsageSpool.MAX_IN_FLIGHT + 10_000;
        try (UsageSpool spool = new UsageSpool(file())) {
            for (int i = 0; i < total; i++) {
                spool.append(record("r" + i));
            }
            assertEquals(total, spool.depth());

            List<String> first = ids(spool.takeBatch(Integer.MAX_VALUE, 1_000, RESEND_AFTER_MS));
            assertEquals(UsageSpool.MAX_IN_FLIGHT, first.size());
            assertEquals(List.of(), ids(spool.takeBatch(Integer.MAX_VALUE, 1_001, RESEND_AFTER_MS)), "the cap holds");

            spool.acknowledge(first);
            List<String> rest = ids(spool.takeBatch(Integer.MAX_VALUE, 1_002, RESEND_AFTER_MS));
            assertEquals(10_000, rest.size());
            assertEquals("r" + UsageSpool.MAX_IN_FLIGHT, rest.getFirst());
            assertEquals("r" + (total - 1), rest.getLast());
            assertEquals(10_000, spool.depth());
        }
    }

    @Test
    void afterAReconnectEverythingInFlightIsSentAgainAtOnceThenNotUntilDue() throws IOException {
        try (UsageSpool spool = new UsageSpool(file())) {
            spool.append(record("r1"));
            spool.append(record("r2"));
            spool.takeBatch(10, 1_000, RESEND_AFTER_MS);
            spool.append(record("r3"));

            spool.markAllUnsent();

            assertEquals(List.of("r1", "r2", "r3"), ids(spool.takeBatch(10, 1_500, RESEND_AFTER_MS)));
            assertEquals(List.of(), ids(spool.takeBatch(10, 1_600, RESEND_AFTER_MS)));
            assertEquals(3, spool.depth());
        }
    }

    @Test
    void compactionKeepsRecordsInFlightAndNeverSentInOrder() throws IOException {
        // Records of ~100 bytes, enough to pass the 4 MiB compaction threshold.
        int total = 50_000;
        List<String> all = new java.util.ArrayList<>();
        try (UsageSpool spool = new UsageSpool(file())) {
            for (int i = 0; i < total; i++) {
                String id = "compact-%06d".formatted(i);
                all.add(id);
                spool.append(record(id).toBuilder().setModel("m".repeat(60)).build());
            }
            long grown = Files.size(file());
            assertEquals(45_000, spool.takeBatch(45_000, 1_000, RESEND_AFTER_MS).size());

            spool.acknowledge(all.subList(0, 44_000)); // 1,000 stay in flight, 5,000 were never sent

            assertTrue(Files.size(file()) < grown / 4, "compacted: " + Files.size(file()) + " of " + grown);
            assertEquals(6_000, spool.depth());
            assertEquals(all.subList(45_000, total), ids(spool.takeBatch(Integer.MAX_VALUE, 2_000, RESEND_AFTER_MS)),
                    "the never-sent records, read from their new place");
            assertEquals(all.subList(44_000, 45_000),
                    ids(spool.takeBatch(1_000, 1_000 + RESEND_AFTER_MS, RESEND_AFTER_MS)),
                    "the records in flight, read from their new place when due again");
        }
        try (UsageSpool restarted = new UsageSpool(file())) {
            assertEquals(all.subList(44_000, total), ids(restarted.takeBatch(Integer.MAX_VALUE, 1_000, RESEND_AFTER_MS)));
        }
    }

    @Test
    void aRecordLargerThanTheReadSliceIsReadWhole() throws IOException {
        try (UsageSpool spool = new UsageSpool(file())) {
            spool.append(record("small-1"));
            spool.append(record("large").toBuilder().setModel("x".repeat(600 * 1024)).build());
            spool.append(record("small-2"));

            List<UsageRecord> batch = spool.takeBatch(10, 1_000, RESEND_AFTER_MS);

            assertEquals(List.of("small-1", "large", "small-2"), ids(batch));
            assertEquals(600 * 1024, batch.get(1).getModel().length());
        }
    }

    @Test
    void anAcknowledgementOfARecordNeverSentIsIgnored() throws IOException {
        try (UsageSpool spool = new UsageSpool(file())) {
            spool.append(record("r1"));

            spool.acknowledge(List.of("r1"));

            assertEquals(1, spool.depth());
            assertEquals(List.of("r1"), ids(spool.takeBatch(10, 1_000, RESEND_AFTER_MS)));
        }
    }
}
