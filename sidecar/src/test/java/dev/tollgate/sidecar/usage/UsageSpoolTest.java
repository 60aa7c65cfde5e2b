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
}
