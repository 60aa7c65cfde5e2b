package dev.tollgate.sidecar.provider.bedrock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.sidecar.testing.FuzzInput;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * The AWS eventstream decoder on any bytes. Control byte bit 0 clear: the rest is a raw stream, which
 * must decode to messages or end in a {@link EventStreamDecoder.FramingException}, nothing else. Bit 0
 * set: a 16-bit header-section length, then header bytes and payload, framed here with correct CRC32s —
 * so the fuzzer reaches the header parser — and then the invariants: the frame decodes to exactly its
 * payload (or its headers are refused as framing), a copy with any one bit flipped is refused by a
 * checksum, and a copy cut short anywhere is refused.
 */
class EventStreamDecoderFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void anyFrameDecodesOrIsRefusedAndNoCorruptionPasses(byte[] input) throws IOException {
        FuzzInput in = new FuzzInput(input);
        if ((in.u8() & 1) == 0) {
            EventStreamDecoder raw = new EventStreamDecoder(new ByteArrayInputStream(in.rest()));
            try {
                while (raw.next() != null) {
                    // drain
                }
            } catch (EventStreamDecoder.FramingException refused) {
                // the defined failure
            }
            return;
        }
        int headersLength = in.u16();
        int flip = in.u16();
        int cut = in.u16();
        byte[] rest = in.rest();
        headersLength = Math.min(headersLength, rest.length);
        byte[] frame = frame(Arrays.copyOf(rest, headersLength), Arrays.copyOfRange(rest, headersLength, rest.length));

        EventStreamDecoder decoder = new EventStreamDecoder(new ByteArrayInputStream(frame));
        try {
            EventStreamDecoder.Message m = decoder.next();
            assertArrayEquals(Arrays.copyOfRange(rest, headersLength, rest.length), m.payload());
            assertNull(decoder.next());
        } catch (EventStreamDecoder.FramingException refusedHeaders) {
            // headers the format does not allow; the checksums were fine
        }

        byte[] flipped = frame.clone();
        int bit = flip % (frame.length * 8);
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        assertThrows(EventStreamDecoder.FramingException.class,
                () -> new EventStreamDecoder(new ByteArrayInputStream(flipped)).next(), "bit " + bit + " flipped");

        int keep = 1 + cut % (frame.length - 1);
        assertThrows(EventStreamDecoder.FramingException.class,
                () -> new EventStreamDecoder(new ByteArrayInputStream(Arrays.copyOf(frame, keep))).next(),
                "cut to " + keep + " of " + frame.length + " bytes");
    }

    /** A message with raw header bytes (the encoder writes only string headers) and correct checksums. */
    private static byte[] frame(byte[] headers, byte[] payload) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + headers.length + payload.length + 4);
        b.putInt(b.capacity()).putInt(headers.length);
        b.putInt((int) crc(b.array(), 8));
        b.put(headers).put(payload);
        b.putInt((int) crc(b.array(), b.capacity() - 4));
        return b.array();
    }

    private static long crc(byte[] bytes, int length) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
