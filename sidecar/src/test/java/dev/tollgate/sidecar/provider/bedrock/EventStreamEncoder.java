package dev.tollgate.sidecar.provider.bedrock;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;

/** Test side of the AWS eventstream format: string headers (type 7) and a payload, with both CRC32s. */
final class EventStreamEncoder {

    private EventStreamEncoder() {
    }

    static byte[] encode(Map<String, String> headers, byte[] payload) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        headers.forEach((name, value) -> {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            h.write(n.length);
            h.writeBytes(n);
            h.write(7);
            h.write((v.length >> 8) & 0xFF);
            h.write(v.length & 0xFF);
            h.writeBytes(v);
        });
        byte[] headerBytes = h.toByteArray();
        int total = 12 + headerBytes.length + payload.length + 4;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(total).putInt(headerBytes.length);
        b.putInt((int) crc(b.array(), 0, 8));
        b.put(headerBytes).put(payload);
        b.putInt((int) crc(b.array(), 0, total - 4));
        return b.array();
    }

    static byte[] event(String eventType, String json) {
        return encode(Map.of(":event-type", eventType, ":content-type", "application/json", ":message-type", "event"),
                json.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] exception(String exceptionType, String message) {
        return encode(Map.of(":exception-type", exceptionType, ":content-type", "application/json",
                        ":message-type", "exception"),
                ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static long crc(byte[] bytes, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, from, length);
        return crc.getValue();
    }
}
