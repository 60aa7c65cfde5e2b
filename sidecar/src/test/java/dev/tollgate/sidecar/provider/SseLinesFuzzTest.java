package dev.tollgate.sidecar.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.sidecar.testing.FuzzInput;
import dev.tollgate.sidecar.testing.ProviderFuzz;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * {@link SseLines} on any bytes, arriving in pieces cut anywhere: the lines read are the same as from the
 * whole body at once, and the same as a plain split at {@code \n} (a {@code \r} before it dropped, a last
 * unterminated line kept). Input: a byte with the number of cuts (low 3 bits), 16-bit cut positions, body.
 */
class SseLinesFuzzTest {

    @DictionaryFile(resourcePath = "/dev/tollgate/sidecar/fuzz-json.dict")
    @FuzzTest(maxDuration = "5s")
    void rechunkingAStreamAnywhereYieldsTheSameLines(byte[] input) throws IOException {
        FuzzInput in = new FuzzInput(input);
        int[] cuts = new int[in.u8() & 7];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = in.u16();
        }
        byte[] body = in.rest();
        List<InputStream> pieces = new ArrayList<>();
        for (byte[] piece : ProviderFuzz.pieces(body, cuts)) {
            pieces.add(new ByteArrayInputStream(piece));
        }

        List<byte[]> whole = read(new ByteArrayInputStream(body));
        List<byte[]> chunked = read(new SequenceInputStream(Collections.enumeration(pieces)));
        List<byte[]> expected = split(body);
        assertEquals(expected.size(), whole.size(), "line count");
        assertEquals(expected.size(), chunked.size(), "line count when chunked");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), whole.get(i), "line " + i);
            assertArrayEquals(expected.get(i), chunked.get(i), "line " + i + " when chunked");
            byte[] data = SseLines.data(whole.get(i));
            if (data != null) {
                SseLines.isDone(data);
            }
        }
    }

    private static List<byte[]> read(InputStream in) throws IOException {
        SseLines lines = new SseLines(in);
        List<byte[]> out = new ArrayList<>();
        for (byte[] line = lines.next(); line != null; line = lines.next()) {
            out.add(line);
        }
        return out;
    }

    private static List<byte[]> split(byte[] body) {
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n') {
                int end = i > from && body[i - 1] == '\r' ? i - 1 : i;
                out.add(Arrays.copyOfRange(body, from, end));
                from = i + 1;
            }
        }
        if (from < body.length) {
            out.add(Arrays.copyOfRange(body, from, body.length));
        }
        return out;
    }
}
