package dev.tollgate.sidecar.provider.bedrock;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Reads {@code application/vnd.amazon.eventstream} messages one at a time: a 12-byte prelude (total length, headers
 * length, CRC32 of those 8 bytes), the headers, the payload and a CRC32 of everything before it. Both checksums are
 * verified. Not thread-safe: one decoder per response stream.
 */
final class EventStreamDecoder {

    /** One decoded message: its headers (values as text) and its raw payload. */
    record Message(Map<String, String> headers, byte[] payload) {

        String header(String name) {
            return headers.getOrDefault(name, "");
        }
    }

    /** The framing is broken: a checksum mismatch, an impossible length, or a message cut short. */
    static final class FramingException extends IOException {
        FramingException(String message) {
            super(message);
        }
    }

    private static final int PRELUDE = 12;
    private static final int TRAILER = 4;
    /** Bedrock messages are small; refuse absurd lengths instead of allocating them. */
    private static final int MAX_MESSAGE = 16 * 1024 * 1024;

    private final InputStream in;

    EventStreamDecoder(InputStream in) {
        this.in = in;
    }

    /** The next message, or null when the stream ends cleanly between messages. */
    Message next() throws IOException {
        byte[] prelude = in.readNBytes(PRELUDE);
        if (prelude.length == 0) {
            return null;
        }
        if (prelude.length < PRELUDE) {
            throw new FramingException("stream ended inside a message prelude");
        }
        ByteBuffer p = ByteBuffer.wrap(prelude);
        int totalLength = p.getInt();
        int headersLength = p.getInt();
        long preludeCrc = Integer.toUnsignedLong(p.getInt());
        if (crc(prelude, 0, 8) != preludeCrc) {
            throw new FramingException("prelude checksum mismatch");
        }
        if (totalLength < PRELUDE + TRAILER || totalLength > MAX_MESSAGE || headersLength < 0
                || headersLength > totalLength - PRELUDE - TRAILER) {
            throw new FramingException("impossible lengths: total " + totalLength + ", headers " + headersLength);
        }
        byte[] message = new byte[totalLength];
        System.arraycopy(prelude, 0, message, 0, PRELUDE);
        int rest = in.readNBytes(message, PRELUDE, totalLength - PRELUDE);
        if (rest < totalLength - PRELUDE) {
            throw new FramingException("stream ended inside a message");
        }
        long messageCrc = Integer.toUnsignedLong(ByteBuffer.wrap(message, totalLength - TRAILER, TRAILER).getInt());
        if (crc(message, 0, totalLength - TRAILER) != messageCrc) {
            throw new FramingException("message checksum mismatch");
        }
        Map<String, String> headers = headers(ByteBuffer.wrap(message, PRELUDE, headersLength));
        int payloadStart = PRELUDE + headersLength;
        byte[] payload = java.util.Arrays.copyOfRange(message, payloadStart, totalLength - TRAILER);
        return new Message(headers, payload);
    }

    private static Map<String, String> headers(ByteBuffer b) throws FramingException {
        Map<String, String> headers = new HashMap<>();
        try {
            while (b.hasRemaining()) {
                byte[] name = new byte[b.get() & 0xFF];
                b.get(name);
                headers.put(new String(name, StandardCharsets.UTF_8), value(b));
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new FramingException("header section ends inside a header");
        }
        return headers;
    }

    /** Header value types 0-9 of the eventstream format; all are kept as text. */
    private static String value(ByteBuffer b) throws FramingException {
        int type = b.get();
        return switch (type) {
            case 0 -> "true";
            case 1 -> "false";
            case 2 -> Byte.toString(b.get());
            case 3 -> Short.toString(b.getShort());
            case 4 -> Integer.toString(b.getInt());
            case 5, 8 -> Long.toString(b.getLong());
            case 6, 7 -> {
                byte[] bytes = new byte[b.getShort() & 0xFFFF];
                b.get(bytes);
                yield type == 7 ? new String(bytes, StandardCharsets.UTF_8) : HexFormat.of().formatHex(bytes);
            }
            case 9 -> {
                byte[] uuid = new byte[16];
                b.get(uuid);
                yield HexFormat.of().formatHex(uuid);
            }
            default -> throw new FramingException("unknown header value type " + type);
        };
    }

    private static long crc(byte[] bytes, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, from, length);
        return crc.getValue();
    }
}
