package dev.tollgate.sidecar.usage;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.UnsafeByteOperations;
import dev.tollgate.proto.control.v1.SidecarMessage;
import dev.tollgate.proto.control.v1.UsageBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The control stream's usage message built from records already serialized (as the spool holds
 * them), without parsing them into objects and serializing those again.
 *
 * <p>On the wire a repeated message field is each element's tag, byte length and bytes, one after
 * the other, so {@code UsageBatch} is written here field by field around the spooled bytes. The
 * batch goes into the {@code SidecarMessage} as its {@code usage} field (number
 * {@value SidecarMessage#USAGE_FIELD_NUMBER}) held as an unknown field: protobuf writes unknown
 * fields as they are, so the bytes the control plane receives are exactly those of a
 * {@code SidecarMessage} whose {@code usage} was set, and it parses them as such.
 * {@code UsageFramesTest} checks that a message built here parses back to the records.
 */
public final class UsageFrames {

    private UsageFrames() {
    }

    /** A {@code SidecarMessage} carrying a {@code UsageBatch} of these serialized {@code UsageRecord}s. */
    public static SidecarMessage usageMessage(List<byte[]> records) {
        byte[] batch = batchBytes(records);
        UnknownFieldSet.Field usage = UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(UnsafeByteOperations.unsafeWrap(batch))
                .build();
        return SidecarMessage.newBuilder()
                .setUnknownFields(UnknownFieldSet.newBuilder().addField(SidecarMessage.USAGE_FIELD_NUMBER, usage).build())
                .build();
    }

    /** The bytes of a {@code UsageBatch} whose {@code records} are these serialized records, in order. */
    static byte[] batchBytes(List<byte[]> records) {
        int size = 0;
        for (byte[] record : records) {
            size += CodedOutputStream.computeByteArraySize(UsageBatch.RECORDS_FIELD_NUMBER, record);
        }
        byte[] batch = new byte[size];
        CodedOutputStream out = CodedOutputStream.newInstance(batch);
        try {
            for (byte[] record : records) {
                out.writeByteArray(UsageBatch.RECORDS_FIELD_NUMBER, record);
            }
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("an exactly sized array did not take the batch", e);
        }
        return batch;
    }
}
