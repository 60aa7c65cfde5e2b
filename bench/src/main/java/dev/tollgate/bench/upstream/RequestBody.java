package dev.tollgate.bench.upstream;

import dev.tollgate.bench.load.Target;
import dev.tollgate.bench.wire.Bytes;
import dev.tollgate.bench.wire.HttpInput;
import java.util.Arrays;

/**
 * A request body collected into a reusable buffer, with a cheap check for the two JSON flags the
 * fake upstream cares about. Not thread-safe: one per connection.
 */
final class RequestBody implements HttpInput.BodySink {

    static final byte[] STREAM = Replies.ascii("\"stream\"");
    static final byte[] INCLUDE_USAGE = Replies.ascii("\"include_usage\"");
    static final byte[] WARM_UP_USER = Replies.ascii("\"" + Target.WARM_UP_USER + "\"");

    private byte[] bytes = new byte[4096];
    private int length;

    void reset() {
        length = 0;
    }

    @Override
    public void bytes(byte[] buffer, int offset, int count) {
        if (length + count > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + count));
        }
        System.arraycopy(buffer, offset, bytes, length, count);
        length += count;
    }

    /** Whether the body holds these bytes anywhere. */
    boolean contains(byte[] bytesWanted) {
        return indexOf(bytesWanted, 0) >= 0;
    }

    private int indexOf(byte[] wanted, int from) {
        return Bytes.indexOf(bytes, from, length, wanted);
    }

    /** Whether the body has {@code "name": true} for the quoted name given (whitespace allowed). */
    boolean flag(byte[] quotedName) {
        for (int i = indexOf(quotedName, 0); i >= 0; i = indexOf(quotedName, i + 1)) {
            int k = skipSpace(i + quotedName.length);
            if (k < length && bytes[k] == ':') {
                k = skipSpace(k + 1);
                return k + 4 <= length && bytes[k] == 't' && bytes[k + 1] == 'r' && bytes[k + 2] == 'u'
                        && bytes[k + 3] == 'e';
            }
        }
        return false;
    }

    private int skipSpace(int i) {
        while (i < length && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) {
            i++;
        }
        return i;
    }
}
