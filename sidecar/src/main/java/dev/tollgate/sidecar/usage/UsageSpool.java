package dev.tollgate.sidecar.usage;

import com.google.protobuf.CodedOutputStream;
import dev.tollgate.proto.control.v1.UsageRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Usage records not yet acknowledged by the control plane, in an append-only file. Each record is
 * in the file before it is offered for sending, so a crash of the sidecar process loses nothing; a
 * crash of the machine may lose the last seconds (the file is never fsynced). Once every record in
 * the file has been acknowledged the file counts as empty again, and when it grows past
 * {@value #COMPACT_BYTES} bytes and {@value #COMPACT_RATIO} times the pending records' size it is
 * rewritten with only the pending records. On start, a spool left by an earlier run is re-sent.
 *
 * <p>Memory does not grow with the backlog: records never sent stay in the file only (a read
 * position marks the first of them), and only records sent and awaiting their acknowledgement are
 * indexed in memory (id, place in the file, when sent; about 150 bytes each, at most
 * {@value #MAX_IN_FLIGHT}). A control-plane outage of any length therefore costs disk, not heap;
 * before, every pending record was also kept in the heap (about 600 bytes each), so a long outage
 * under load ended in OutOfMemoryError, and a spool larger than the heap could not be read back.
 * An acknowledgement of a record not sent on this run is ignored (none is expected: the control
 * plane acknowledges what it received).
 *
 * <p>On disk: length-delimited {@code UsageRecord}s (each a varint byte length, then the record),
 * ended by the end of the file or by a zero byte where the next length would start; what follows
 * that zero is meaningless. Appends are stores into a memory-mapped window of the file, not a
 * system call each, in an order that makes a record appear whole or not at all ({@link SpoolFile}).
 * A record cut short (a damaged file, or a crash of the earlier writer, which appended with
 * {@code write(2)}) is dropped with a WARNING and everything before it is kept.
 *
 * <p>Thread-safe: one lock guards the file and the index.
 */
public final class UsageSpool implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(UsageSpool.class.getName());
    private static final long COMPACT_BYTES = 4L * 1024 * 1024;
    /**
     * The file is rewritten only once it holds this many times the pending bytes: under sustained
     * load the pending set is never empty, and rewriting it on every acknowledgement once the file
     * passed {@link #COMPACT_BYTES} made each ack cost the whole pending set (at 12,000 requests/s,
     * throughput fell by half). With the ratio a rewrite is paid for by the appends before it.
     */
    private static final int COMPACT_RATIO = 4;
    /** Records sent and not yet acknowledged, at most: no more are taken until some are acknowledged. */
    static final int MAX_IN_FLIGHT = 50_000;
    private static final int READ_BYTES = 256 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final SpoolFile spoolFile;
    /** Records sent and not yet acknowledged, in file order, by id. */
    private final Map<String, InFlight> inFlight = new LinkedHashMap<>();
    /** File offset of the first record never sent; every record from there to the end is unsent. */
    private long cursor;
    /** How many records lie from {@link #cursor} to the end of the file. */
    private int unsent;
    /** Bytes in the file (length prefixes included) of the records in flight. */
    private long inFlightBytes;
    /**
     * No record in flight was sent before this time ({@link Long#MAX_VALUE}: none is out), so no
     * resend is due before it plus the resend delay; a walk of the records in flight is needed only then.
     */
    private long earliestSentMs = Long.MAX_VALUE;
    /** After a reconnect: every record in flight is to be sent again at once. */
    private boolean resendAll;
    /** Reused for reading records back (under the lock). */
    private ByteBuffer readBuffer = ByteBuffer.allocate(READ_BYTES);

    /** A record sent and awaiting its acknowledgement: where it is in the file. */
    private static final class InFlight {
        /** Offset of the record's length prefix. */
        long offset;
        final int size;
        long sentAtMs;

        InFlight(long offset, int size, long sentAtMs) {
            this.offset = offset;
            this.size = size;
            this.sentAtMs = sentAtMs;
        }

        int fileBytes() {
            return CodedOutputStream.computeUInt32SizeNoTag(size) + size;
        }
    }

    private static UsageRecord parse(byte[] record) {
        try {
            return UsageRecord.parseFrom(record);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("a usage record the spool serialized does not parse", e);
        }
    }

    public UsageSpool(Path file) throws IOException {
        this(file, SpoolFile.DEFAULT_WINDOW_BYTES);
    }

    /** @param windowBytes how much of the file is mapped at a time (tests make it small to see growth) */
    UsageSpool(Path file, int windowBytes) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SpoolFile.Scan recovered = SpoolFile.scan(file);
        spoolFile = new SpoolFile(file, windowBytes);
        // Streamed from the old file into a fresh one: a partial record at the end is left behind.
        spoolFile.rewrite(SpoolFile.records(file, recovered.bytes()));
        unsent = recovered.records();
        if (unsent > 0) {
            LOG.log(System.Logger.Level.INFO, "recovered " + unsent + " unsent usage record(s) from " + file);
        }
    }

    /**
     * Puts the record in the spool file; returns once it would survive a crash of this process.
     *
     * @throws IllegalArgumentException when the record has no id (records are kept and acknowledged by it)
     */
    public void append(UsageRecord record) throws IOException {
        if (record.getId().isEmpty()) {
            throw new IllegalArgumentException("usage record without an id (expected: the request id)");
        }
        byte[] serialized = record.toByteArray();
        lock.lock();
        try {
            spoolFile.append(serialized);
            unsent++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Up to {@code max} records to send now: those sent more than {@code resendAfterMs} ago without
     * an acknowledgement (or all in flight after {@link #markAllUnsent}), then those never sent, in
     * file order; no new ones while {@value #MAX_IN_FLIGHT} are in flight. Marks them sent at {@code nowMs}.
     */
    public List<UsageRecord> takeBatch(int max, long nowMs, long resendAfterMs) {
        List<byte[]> taken = takeSerialized(max, nowMs, resendAfterMs);
        List<UsageRecord> batch = new ArrayList<>(taken.size());
        for (byte[] record : taken) {
            batch.add(parse(record));
        }
        return batch;
    }

    /**
     * {@link #takeBatch}, the records as they lie in the file (serialized {@code UsageRecord}s): the
     * upload frames them as they are ({@link UsageFrames}). Parsing each record only to serialize it
     * again was a tenth of the sidecar's CPU and of its garbage under load.
     */
    public List<byte[]> takeSerialized(int max, long nowMs, long resendAfterMs) {
        lock.lock();
        try {
            return take(max, nowMs, resendAfterMs);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("usage spool could not be read back", e);
        } finally {
            lock.unlock();
        }
    }

    private List<byte[]> take(int max, long nowMs, long resendAfterMs) throws IOException {
        List<byte[]> batch = new ArrayList<>(Math.min(max, 1024));
        if (resendAll || (earliestSentMs != Long.MAX_VALUE && nowMs - earliestSentMs >= resendAfterMs)) {
            resendDue(batch, max, nowMs, resendAfterMs);
        }
        takeUnsent(batch, max, nowMs);
        if (!inFlight.isEmpty() && earliestSentMs == Long.MAX_VALUE) {
            earliestSentMs = nowMs;
        }
        return batch;
    }

    /** Walks the records in flight in file order, taking the due ones again. */
    private void resendDue(List<byte[]> batch, int max, long nowMs, long resendAfterMs) throws IOException {
        long earliest = Long.MAX_VALUE;
        boolean left = false;
        for (InFlight p : inFlight.values()) {
            if (p.sentAtMs == 0 || nowMs - p.sentAtMs >= resendAfterMs) {
                if (batch.size() < max) {
                    p.sentAtMs = nowMs;
                    batch.add(readAt(p.offset, p.size));
                } else if (p.sentAtMs == 0) {
                    left = true;
                }
            }
            if (p.sentAtMs != 0) {
                earliest = Math.min(earliest, p.sentAtMs);
            }
        }
        earliestSentMs = earliest;
        resendAll = left;
    }

    /** Takes never-sent records from the read position, reading the file in large slices. */
    private void takeUnsent(List<byte[]> batch, int max, long nowMs) throws IOException {
        while (batch.size() < max && unsent > 0 && inFlight.size() < MAX_IN_FLIGHT) {
            readBuffer.clear();
            int read = spoolFile.read(cursor, readBuffer);
            readBuffer.flip();
            int consumed = 0;
            while (batch.size() < max && unsent > 0 && inFlight.size() < MAX_IN_FLIGHT) {
                int at = readBuffer.position();
                int size = lengthAt(readBuffer);
                if (size <= 0 || readBuffer.remaining() < size) {
                    readBuffer.position(at);
                    break; // the record goes past this slice (or its length does): read from it next time
                }
                byte[] record = new byte[size];
                readBuffer.get(record);
                String id = SpoolFile.idOf(record);
                InFlight p = new InFlight(cursor + at, size, nowMs);
                InFlight replaced = inFlight.put(id, p);
                inFlightBytes += p.fileBytes() - (replaced == null ? 0 : replaced.fileBytes());
                batch.add(record);
                consumed = readBuffer.position();
                unsent--;
            }
            if (consumed == 0) {
                if (read < readBuffer.capacity()) {
                    // All that is left of the file was read and holds no whole record.
                    throw new IOException("usage spool: " + unsent + " record(s) counted past the end of the file");
                }
                // One record larger than the buffer: grow it and read again.
                int size = lengthAt(readBuffer.position(0));
                readBuffer = ByteBuffer.allocate(Math.max(readBuffer.capacity() * 2, size + 16));
                continue;
            }
            cursor += consumed;
        }
    }

    /** The varint length at the buffer's position, moving past it; -1 when it is not all in the buffer. */
    private static int lengthAt(ByteBuffer b) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (!b.hasRemaining()) {
                return -1;
            }
            byte x = b.get();
            value |= (x & 0x7F) << shift;
            if (x >= 0) {
                return value;
            }
        }
        return -1;
    }

    /** The record whose length prefix is at {@code offset}. */
    private byte[] readAt(long offset, int size) throws IOException {
        int prefix = CodedOutputStream.computeUInt32SizeNoTag(size);
        ByteBuffer b = ByteBuffer.allocate(size);
        if (spoolFile.read(offset + prefix, b) != size) {
            throw new IOException("usage spool: a record in flight at offset " + offset + " is not in the file");
        }
        return b.array();
    }

    /** Drops acknowledged records; shrinks the file when that frees it. */
    public void acknowledge(Collection<String> ids) throws IOException {
        lock.lock();
        try {
            for (String id : ids) {
                InFlight gone = inFlight.remove(id);
                if (gone != null) {
                    inFlightBytes -= gone.fileBytes();
                }
            }
            if (inFlight.isEmpty()) {
                earliestSentMs = Long.MAX_VALUE;
                resendAll = false;
            }
            if (!spoolFile.isOpen()) {
                // Closed: the file keeps what it held at close, and the acknowledged records in it are
                // sent once more after the next start (the control plane ignores a repeated id).
                return;
            }
            long pendingBytes = inFlightBytes + (spoolFile.bytes() - cursor);
            if (inFlight.isEmpty() && unsent == 0) {
                spoolFile.clear();
                cursor = 0;
            } else if (spoolFile.bytes() > COMPACT_BYTES && spoolFile.bytes() > COMPACT_RATIO * pendingBytes) {
                compact();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rewrites the file with the records in flight, then the unsent ones, and moves the index and
     * the read position to their new places (only once the new file is in place).
     */
    private void compact() throws IOException {
        List<InFlight> kept = new ArrayList<>(inFlight.values());
        long unsentFrom = cursor;
        long unsentBytes = spoolFile.bytes() - cursor;
        Iterable<byte[]> records = () -> new java.util.Iterator<>() {
            private int next;
            private long tailAt = unsentFrom;

            @Override
            public boolean hasNext() {
                return next < kept.size() || tailAt < unsentFrom + unsentBytes;
            }

            @Override
            public byte[] next() {
                try {
                    if (next < kept.size()) {
                        InFlight p = kept.get(next++);
                        return readAt(p.offset, p.size);
                    }
                    ByteBuffer prefix = ByteBuffer.allocate(5);
                    spoolFile.read(tailAt, prefix);
                    prefix.flip();
                    int size = lengthAt(prefix);
                    byte[] record = readAt(tailAt, size);
                    tailAt += CodedOutputStream.computeUInt32SizeNoTag(size) + size;
                    return record;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        try {
            spoolFile.rewrite(records);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        long at = 0;
        for (InFlight p : kept) {
            p.offset = at;
            at += p.fileBytes();
        }
        cursor = at;
    }

    /** After a reconnect: everything in flight is sent again. */
    public void markAllUnsent() {
        lock.lock();
        try {
            inFlight.values().forEach(p -> p.sentAtMs = 0);
            resendAll = !inFlight.isEmpty();
            earliestSentMs = Long.MAX_VALUE;
        } finally {
            lock.unlock();
        }
    }

    /** Records not yet acknowledged: in flight and never sent. */
    public int depth() {
        lock.lock();
        try {
            return inFlight.size() + unsent;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            spoolFile.close();
        } finally {
            lock.unlock();
        }
    }
}
