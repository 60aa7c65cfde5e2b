package dev.tollgate.bench.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkStampTest {

    private static byte[] event(String id) {
        return ("data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\"}\n\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static List<Long> scan(byte[] bytes, int off, int len) {
        List<Long> found = new ArrayList<>();
        ChunkStamp.scan(bytes, off, len, found::add);
        return found;
    }

    @Test
    void aWrittenStampIsReadBackFromTheBytesAsSent() {
        byte[] chunk = event(ChunkStamp.placeholderId());
        int at = ChunkStamp.digitsAt(chunk);
        ChunkStamp.write(chunk, at, 123_456_789_012L);
        assertEquals(List.of(123_456_789_012L), scan(chunk, 0, chunk.length));
        ChunkStamp.write(chunk, at, Long.MAX_VALUE);
        assertEquals(List.of(Long.MAX_VALUE), scan(chunk, 0, chunk.length), "19 digits hold any nanoTime");
    }

    @Test
    void everyStampOfARead_noneFromAPlaceholderOrACutOrAForeignId() {
        byte[] a = event(ChunkStamp.placeholderId());
        ChunkStamp.write(a, ChunkStamp.digitsAt(a), 5);
        byte[] unstamped = event(ChunkStamp.placeholderId());
        byte[] b = event(ChunkStamp.placeholderId());
        ChunkStamp.write(b, ChunkStamp.digitsAt(b), 7);
        byte[] foreign = event("chatcmpl-bench-12345");
        byte[] all = new byte[a.length + unstamped.length + b.length + foreign.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(unstamped, 0, all, a.length, unstamped.length);
        System.arraycopy(b, 0, all, a.length + unstamped.length, b.length);
        System.arraycopy(foreign, 0, all, a.length + unstamped.length + b.length, foreign.length);

        assertEquals(List.of(5L, 7L), scan(all, 0, all.length));
        // A read that ends inside b's digits sees a alone; one that starts inside them sees nothing of b.
        int bDigits = a.length + unstamped.length + ChunkStamp.digitsAt(b);
        assertEquals(List.of(5L), scan(all, 0, bDigits + 10));
        assertEquals(List.of(), scan(all, bDigits + 1, all.length - bDigits - 1));
    }

    @Test
    void noPlaceholderNoPlace_andNoNegativeStamp() {
        assertEquals(-1, ChunkStamp.digitsAt(event("chatcmpl-bench")));
        byte[] chunk = event(ChunkStamp.placeholderId());
        assertThrows(IllegalArgumentException.class, () -> ChunkStamp.write(chunk, ChunkStamp.digitsAt(chunk), -1));
    }
}
