package dev.tollgate.sidecar.usage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tollgate.proto.control.v1.RouterAttempt;
import dev.tollgate.proto.control.v1.SidecarMessage;
import dev.tollgate.proto.control.v1.UsageBatch;
import dev.tollgate.proto.control.v1.UsageRecord;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The usage message framed around spooled bytes is, byte for byte, the one protobuf would build from the records. */
class UsageFramesTest {

    private static UsageRecord record(int i) {
        return UsageRecord.newBuilder()
                .setId("req-" + i)
                .setKeyId("key-" + (i % 3))
                .setAlias("gpt-4o-mini")
                .setModel("modèle-" + i) // not ASCII: the bytes pass through untouched
                .setPromptTokens(12L * i)
                .setCompletionTokens(7)
                .setHttpStatus(i % 2 == 0 ? 200 : 429)
                .addRouterAttempts(RouterAttempt.newBuilder().setDeploymentId("d" + i).build())
                .build();
    }

    private static List<byte[]> serialized(List<UsageRecord> records) {
        return records.stream().map(UsageRecord::toByteArray).toList();
    }

    @Test
    void theFramedMessageHasTheBytesOfTheBuiltOne() {
        List<UsageRecord> records = IntStream.range(0, 300).mapToObj(UsageFramesTest::record).toList();

        byte[] framed = UsageFrames.usageMessage(serialized(records)).toByteArray();
        byte[] built = SidecarMessage.newBuilder().setUsage(UsageBatch.newBuilder().addAllRecords(records)).build().toByteArray();

        assertArrayEquals(built, framed);
    }

    @Test
    void theControlPlaneParsesItAsAUsageBatchOfTheSameRecords() throws InvalidProtocolBufferException {
        List<UsageRecord> records = IntStream.range(0, 5).mapToObj(UsageFramesTest::record).toList();

        SidecarMessage received = SidecarMessage.parseFrom(UsageFrames.usageMessage(serialized(records)).toByteArray());

        assertEquals(SidecarMessage.KindCase.USAGE, received.getKindCase());
        assertEquals(records, received.getUsage().getRecordsList());
    }

    @Test
    void aRecordLargerThanOneLengthByteKeepsItsLength() throws InvalidProtocolBufferException {
        // 600 KiB: the length takes three varint bytes, the batch's four.
        UsageRecord large = UsageRecord.newBuilder().setId("big").setModel("x".repeat(600 * 1024)).build();

        SidecarMessage received = SidecarMessage.parseFrom(UsageFrames.usageMessage(serialized(List.of(large, record(1)))).toByteArray());

        assertEquals(List.of(large, record(1)), received.getUsage().getRecordsList());
    }
}
