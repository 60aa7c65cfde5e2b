package dev.tollgate.sidecar.usage;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.tollgate.proto.control.v1.UsageRecord;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The spool's file: length-delimited {@link UsageRecord}s (a varint length, then the record), written
 * into a memory-mapped window of the file so that an append is a copy into the page cache, not a
 * {@code write(2)}. A store into a shared mapping is in the page cache at once, so an appended record
 * survives a crash of the process exactly as a written one does; neither survives a crash of the
 * machine (there is no fsync, as there never was).
 *
 * <p>Where the records end: the byte after the last record is always zero (a record is never empty,
 * it has an id, so no real length is zero), and the file may continue past it with zeros or with
 * records already acknowledged. An append keeps that true with a fixed order of stores: the zero
 * after the new record, then the record, then its length varint last byte first; the length's first
 * byte, a single store, is what makes the record exist. A crash at any point before it leaves the
 * old end in place. A clean {@link #close()} truncates the file to its records, which is the format
 * the spool had before it was mapped (and a file in that format, ending exactly after its last
 * record, reads back the same).
 *
 * <p>Not thread-safe: {@link UsageSpool} calls it under its lock.
 */
final class SpoolFile implements AutoCloseable {

    static final int DEFAULT_WINDOW_BYTES = 1 << 20;

    private static final System.Logger LOG = System.getLogger(SpoolFile.class.getName());
    private static final int ZEROS_BYTES = 64 * 1024;

    private final Path file;
    private final int windowBytes;
    private FileChannel channel;
    /** The window at offset 0; when all is acknowledged and the file never grew past it, it is reused. */
    private MappedByteBuffer head;
    /** The window appends go into, starting at file offset {@link #currentStart}. */
    private MappedByteBuffer current;
    private long currentStart;
    /** Bytes of records in the file: where the next record goes, and where a zero byte now stands. */
    private long end;

    /** Opens no file yet: {@link #rewrite} creates it. */
    SpoolFile(Path file, int windowBytes) {
        if (windowBytes < 16) {
            throw new IllegalArgumentException("spool window: " + windowBytes + " bytes (expected: >= 16)");
        }
        this.file = file;
        this.windowBytes = windowBytes;
    }

    /** What {@link #scan} found: the bytes of whole records at the start of the file, and how many. */
    record Scan(long bytes, int records) {
    }

    /**
     * Measures the records an earlier run left in the file, reading it once and keeping none: up to
     * the end of the file or the first zero where a record's length would start. A record cut short
     * (a crash of the format's earlier, unmapped writer mid-write, or a damaged file) ends them with a
     * WARNING; everything before it is kept.
     */
    static Scan scan(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new Scan(0, 0);
        }
        long bytes = 0;
        int records = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), ZEROS_BYTES)) {
            while (true) {
                byte[] record = next(in);
                if (record == null) {
                    break;
                }
                if (record.length == 0 || !wholeRecord(record)) {
                    LOG.log(System.Logger.Level.WARNING, "usage spool " + file + " ends in a partial record; "
                            + "it is dropped");
                    break;
                }
                bytes += CodedOutputStream.computeUInt32SizeNoTag(record.length) + record.length;
                records++;
            }
        }
        return new Scan(bytes, records);
    }

    /** The first {@code bytes} bytes of {@code file} (whole records, as {@link #scan} measured), record by record. */
    static Iterable<byte[]> records(Path file, long bytes) {
        return () -> new java.util.Iterator<>() {
            private final InputStream in = open();
            private long left = bytes;

            private InputStream open() {
                try {
                    return bytes == 0 ? InputStream.nullInputStream()
                            : new BufferedInputStream(Files.newInputStream(file), ZEROS_BYTES);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public boolean hasNext() {
                if (left > 0) {
                    return true;
                }
                close();
                return false;
            }

            @Override
            public byte[] next() {
                try {
                    byte[] record = SpoolFile.next(in);
                    if (record == null) {
                        throw new java.util.NoSuchElementException();
                    }
                    left -= CodedOutputStream.computeUInt32SizeNoTag(record.length) + record.length;
                    return record;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            private void close() {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // read only
                }
            }
        };
    }

    /**
     * The next record of a stream of length-delimited records: null at the end of the stream or at a
     * zero where a length would start; an empty array when the record is cut short.
     */
    private static byte[] next(InputStream in) throws IOException {
        int first = in.read();
        if (first <= 0) {
            return null;
        }
        int length;
        try {
            length = CodedInputStream.readRawVarint32(first, in);
        } catch (IOException e) {
            return new byte[0];
        }
        if (length <= 0) {
            return new byte[0];
        }
        byte[] record = in.readNBytes(length);
        return record.length == length ? record : new byte[0];
    }

    /** Whether the bytes parse as a usage record with an id (zeros after a record cut short do not). */
    private static boolean wholeRecord(byte[] record) {
        try {
            return !UsageRecord.parseFrom(record).getId().isEmpty();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return false;
        }
    }

    /** The tag of {@link UsageRecord}'s id: field 1, length-delimited. */
    private static final int ID_TAG = UsageRecord.ID_FIELD_NUMBER << 3 | 2;

    /**
     * The id of a serialized {@link UsageRecord}, read without parsing the rest (it is the first
     * field written); empty when the bytes hold none.
     */
    static String idOf(byte[] record) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(record);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == ID_TAG) {
                    return in.readString();
                }
                if (!in.skipField(tag)) {
                    break;
                }
            }
        } catch (IOException e) {
            // not a record: no id
        }
        return "";
    }

    /**
     * Reads from the file at {@code position} into {@code dst} (as much as it has room for, not past
     * the records' end); returns the bytes read. Sees what appends stored through the mapping.
     */
    int read(long position, ByteBuffer dst) throws IOException {
        if (channel == null) {
            throw new IOException("usage spool " + file + " is closed");
        }
        long left = end - position;
        if (left <= 0) {
            return 0;
        }
        if (dst.remaining() > left) {
            dst.limit(dst.position() + (int) left);
        }
        int total = 0;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** Replaces the file (atomically, via rename) with one holding just these records, ready to append. */
    /** @param records serialized {@link UsageRecord}s */
    void rewrite(Iterable<byte[]> records) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        long bytes;
        long mapped;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream os = new BufferedOutputStream(Channels.newOutputStream(ch), ZEROS_BYTES);
            CodedOutputStream coded = CodedOutputStream.newInstance(os, ZEROS_BYTES);
            for (byte[] r : records) {
                coded.writeUInt32NoTag(r.length);
                coded.writeRawBytes(r);
            }
            coded.flush();
            os.flush();
            bytes = ch.size();
            mapped = roundUp(bytes + 1);
            reserve(ch, bytes, mapped);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        releaseOldFile();
        closeChannel();
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        head = channel.map(FileChannel.MapMode.READ_WRITE, 0, mapped);
        current = head;
        currentStart = 0;
        end = bytes;
    }

    /** Appends one record; once this returns, the record survives a crash of this process. */
    void append(byte[] record) throws IOException {
        if (channel == null) {
            throw new IOException("usage spool " + file + " is closed");
        }
        int size = record.length;
        if (size == 0) {
            // An empty record would read back as the end of the file.
            throw new IllegalArgumentException("usage record is empty (expected: at least an id)");
        }
        int prefix = CodedOutputStream.computeUInt32SizeNoTag(size);
        int need = prefix + size;
        if (end - currentStart + need + 1 > current.capacity()) {
            grow(need);
        }
        int at = (int) (end - currentStart);
        try {
            current.put(at + need, (byte) 0);
            current.put(at + prefix, record);
            writeLength(current, at, size, prefix);
        } catch (InternalError e) {
            // How the JVM reports a store into a mapped page the file system could not back.
            throw new IOException("usage spool " + file + " could not be written (is the disk full?)", e);
        }
        end += need;
    }

    /**
     * Writes the length varint at {@code at}, its first byte last: until that byte is stored the
     * record does not exist for a reader, and once it is, everything after it is already in place.
     */
    private static void writeLength(ByteBuffer buf, int at, int size, int prefix) {
        for (int i = prefix - 1; i >= 1; i--) {
            int b = (size >>> (7 * i)) & 0x7F;
            buf.put(at + i, (byte) (i < prefix - 1 ? b | 0x80 : b));
        }
        // Keeps the JIT from moving the record's stores after the store that publishes it.
        VarHandle.releaseFence();
        buf.put(at, (byte) (prefix > 1 ? (size & 0x7F) | 0x80 : size));
    }

    /** Maps a new window at the end of the records, large enough for {@code need} bytes and a zero. */
    private void grow(int need) throws IOException {
        long size = roundUp(need + 1L);
        if (size > Integer.MAX_VALUE) {
            throw new IOException("usage record of " + need + " bytes does not fit a spool window");
        }
        reserve(channel, Math.max(end, channel.size()), end + size);
        current = channel.map(FileChannel.MapMode.READ_WRITE, end, size);
        currentStart = end;
    }

    /** Every record was acknowledged: the file holds none from now on. */
    void clear() throws IOException {
        if (current == head && head.capacity() == windowBytes) {
            // A zero at the start ends the file there; the acknowledged records after it are overwritten
            // by the next appends. One store instead of a truncation and a new mapping.
            head.put(0, (byte) 0);
            end = 0;
        } else {
            rewrite(List.of()); // the file grew past one window: give the disk space back
        }
    }

    boolean isOpen() {
        return channel != null;
    }

    /** Bytes of records in the file (not counting what follows the end). */
    long bytes() {
        return end;
    }

    /**
     * Truncates the file to its records and closes it. No force: a clean shutdown is not where a
     * machine crash threatens, and the page cache writes the file back as it would a written one.
     */
    @Override
    public void close() throws IOException {
        if (channel == null) {
            return;
        }
        try {
            // The windows stay mapped until collected, but nothing writes to them after this.
            channel.truncate(end);
        } catch (IOException e) {
            // Some systems refuse to truncate a mapped file; the zeros after the records read back fine.
            LOG.log(System.Logger.Level.DEBUG, "usage spool " + file + " left at its mapped size: " + e.getMessage());
        }
        closeChannel();
    }

    /**
     * The old file is unlinked now, but its windows stay mapped until the collector finds their
     * buffers (Java 21 has no explicit unmap), and a buffer that reached the old generation may wait
     * for a full collection: under load a megabyte of resident memory per rewrite. Truncating the
     * unlinked file drops its pages from those mappings at once. Nothing touches them again, so
     * nothing can fault on them.
     */
    private void releaseOldFile() {
        if (channel == null) {
            return;
        }
        try {
            channel.truncate(0);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "usage spool " + file + ": the replaced file keeps its pages until "
                    + "collected: " + e.getMessage());
        }
    }

    private void closeChannel() throws IOException {
        FileChannel ch = channel;
        channel = null;
        head = null;
        current = null;
        if (ch != null) {
            ch.close();
        }
    }

    private long roundUp(long bytes) {
        return (bytes + windowBytes - 1) / windowBytes * windowBytes;
    }

    /**
     * Writes zeros over {@code [from, to)} so the file system allocates those blocks now: a full disk
     * is then an IOException here rather than a fault on a later store into the mapping.
     */
    private static void reserve(FileChannel ch, long from, long to) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate(ZEROS_BYTES);
        for (long at = from; at < to; ) {
            zeros.clear().limit((int) Math.min(ZEROS_BYTES, to - at));
            at += ch.write(zeros, at);
        }
    }
}
