package dev.tollgate.sidecar.provider.bedrock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EventStreamDecoderTest {

    @Test
    void decodesConsecutiveMessagesThenEndsCleanly() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(EventStreamEncoder.event("messageStart", "{\"role\":\"assistant\"}"));
        wire.writeBytes(EventStreamEncoder.exception("throttlingException", "slow down"));
        EventStreamDecoder decoder = new EventStreamDecoder(new ByteArrayInputStream(wire.toByteArray()));

        EventStreamDecoder.Message first = decoder.next();
        assertEquals("event", first.header(":message-type"));
        assertEquals("messageStart", first.header(":event-type"));
        assertArrayEquals("{\"role\":\"assistant\"}".getBytes(StandardCharsets.UTF_8), first.payload());
        EventStreamDecoder.Message second = decoder.next();
        assertEquals("exception", second.header(":message-type"));
        assertEquals("throttlingException", second.header(":exception-type"));
        assertNull(decoder.next());
    }

    @Test
    void preludeChecksumMismatchIsRefused() {
        byte[] frame = EventStreamEncoder.event("messageStart", "{}");
        frame[9] ^= 0x01;
        Exception e = assertThrows(EventStreamDecoder.FramingException.class,
                () -> new EventStreamDecoder(new ByteArrayInputStream(frame)).next());
        assertTrue(e.getMessage().contains("prelude checksum"), e.getMessage());
    }

    @Test
    void messageChecksumMismatchIsRefused() {
        byte[] frame = EventStreamEncoder.event("messageStart", "{\"role\":\"assistant\"}");
        frame[frame.length - 6] ^= 0x01;
        Exception e = assertThrows(EventStreamDecoder.FramingException.class,
                () -> new EventStreamDecoder(new ByteArrayInputStream(frame)).next());
        assertTrue(e.getMessage().contains("message checksum"), e.getMessage());
    }

    @Test
    void messageCutShortIsRefused() {
        byte[] frame = EventStreamEncoder.event("messageStart", "{\"role\":\"assistant\"}");
        byte[] cut = Arrays.copyOf(frame, frame.length - 3);
        assertThrows(EventStreamDecoder.FramingException.class,
                () -> new EventStreamDecoder(new ByteArrayInputStream(cut)).next());
        assertThrows(EventStreamDecoder.FramingException.class,
                () -> new EventStreamDecoder(new ByteArrayInputStream(Arrays.copyOf(frame, 5))).next());
    }
}
