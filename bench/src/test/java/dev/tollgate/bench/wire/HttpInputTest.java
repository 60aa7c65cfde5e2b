package dev.tollgate.bench.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpInputTest {

    /** Hands out one byte per read, so every line and chunk boundary falls between two reads. */
    private static InputStream trickle(String text) {
        ByteArrayInputStream in = new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
        return new InputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, Math.min(len, 1));
            }
        };
    }

    private static String body(HttpInput input, Head head) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        input.readBody(head, true, out::write);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void chunkedResponsesSplitAcrossReadsAreReassembledOnOneKeptAliveConnection() throws IOException {
        HttpInput input = new HttpInput(trickle("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Type: text/event-stream\r\n\r\n"
                + "6\r\ndata: \r\na;ext=1\r\n[DONE]\n\n\r\n\r\n0\r\nX-Trailer: t\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"));
        Head first = input.readHead();
        assertEquals(200, first.status());
        assertTrue(first.chunked());
        assertEquals("data: [DONE]\n\n\r\n", body(input, first));

        Head second = input.readHead();
        assertEquals(204, second.status());
        assertFalse(second.responseHasBody());
        assertTrue(second.close());
        assertNull(input.readHead());
    }

    @Test
    void contentLengthBodiesEndExactlyWhereTheNextMessageStarts() throws IOException {
        HttpInput input = new HttpInput(trickle("POST /v1/chat/completions HTTP/1.1\r\ncontent-length: 4\r\n\r\n"
                + "{\"a\"}GET /health HTTP/1.1\r\n\r\n"));
        Head post = input.readHead();
        assertEquals("POST /v1/chat/completions HTTP/1.1", post.startLine());
        assertEquals(-1, post.status());
        assertEquals("{\"a\"", body(input, post));
        Head get = input.readHead();
        assertEquals("}GET /health HTTP/1.1", get.startLine(), "a body is exactly content-length bytes");
    }
}
