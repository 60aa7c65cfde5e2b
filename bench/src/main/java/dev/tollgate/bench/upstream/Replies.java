package dev.tollgate.bench.upstream;

import dev.tollgate.bench.wire.ChunkStamp;
import java.nio.charset.StandardCharsets;

/** The fake upstream's answers, built once as wire bytes. Immutable. */
final class Replies {

    static final String MODEL = "bench-model";
    private static final String ID = "chatcmpl-bench";
    /** Stream chunks carry a {@link ChunkStamp} in their id, written when each is sent. */
    private static final String STREAM_ID = ChunkStamp.placeholderId();

    static final byte[] COMPLETION_BODY = ascii("{\"id\":\"" + ID + "\",\"object\":\"chat.completion\",\"created\":1700000000,"
            + "\"model\":\"" + MODEL + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Hello from the fake upstream.\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":7,\"total_tokens\":16}}");

    /** A whole {@code 200} response with the completion above. */
    final byte[] completion;
    /** Status line and headers of a streamed answer (chunked transfer coding). */
    final byte[] streamHead;
    /** Templates: {@link #stampedCopies()} gives the copies a stream writes its send times into. */
    private final byte[] firstChunk;
    private final byte[] middleChunk;
    private final byte[] lastChunk;
    final byte[] usageChunk;
    /** {@code data: [DONE]} and the terminating zero-length chunk. */
    final byte[] done;
    final byte[] notFound;
    final byte[] health;

    Replies(UpstreamSettings settings) {
        completion = response(200, "application/json", COMPLETION_BODY);
        streamHead = ascii("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        firstChunk = chunk(event("{\"role\":\"assistant\",\"content\":\"tok\"}", "null"));
        middleChunk = chunk(event("{\"content\":\" tok\"}", "null"));
        lastChunk = chunk(event("{\"content\":\".\"}", "\"stop\""));
        int completionTokens = settings.streamChunks();
        usageChunk = chunk(ascii("data: {\"id\":\"" + STREAM_ID + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"" + MODEL + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":"
                + completionTokens + ",\"total_tokens\":" + (9 + completionTokens) + "}}\n\n"));
        byte[] doneEvent = chunk(ascii("data: [DONE]\n\n"));
        done = concat(doneEvent, ascii("0\r\n\r\n"));
        notFound = response(404, "application/json", ascii("{\"error\":{\"message\":\"the fake upstream serves only "
                + "POST .../chat/completions\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"not_found\"}}"));
        health = response(200, "application/json", ascii("{\"status\":\"ok\"}"));
    }

    /** One stream's own copies of the content chunks, each with where its stamp goes. */
    StampedChunks stampedCopies() {
        return new StampedChunks(firstChunk.clone(), middleChunk.clone(), lastChunk.clone(),
                ChunkStamp.digitsAt(firstChunk), ChunkStamp.digitsAt(middleChunk), ChunkStamp.digitsAt(lastChunk));
    }

    /** The content chunks of one stream; not shared between threads. */
    record StampedChunks(byte[] first, byte[] middle, byte[] last, int firstAt, int middleAt, int lastAt) {

        /** Chunk {@code i} of {@code n}, stamped with the time now. */
        byte[] stamped(int i, int n) {
            byte[] chunk = i == 0 ? first : i == n - 1 ? last : middle;
            ChunkStamp.write(chunk, i == 0 ? firstAt : i == n - 1 ? lastAt : middleAt, System.nanoTime());
            return chunk;
        }
    }

    private static byte[] event(String delta, String finishReason) {
        return ascii("data: {\"id\":\"" + STREAM_ID + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"" + MODEL + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + finishReason + "}]}\n\n");
    }

    private static byte[] response(int status, String type, byte[] body) {
        String reason = status == 200 ? "OK" : "Not Found";
        return concat(ascii("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                + body.length + "\r\n\r\n"), body);
    }

    private static byte[] chunk(byte[] data) {
        return concat(concat(ascii(Integer.toHexString(data.length) + "\r\n"), data), ascii("\r\n"));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
