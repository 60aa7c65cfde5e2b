package dev.tollgate.sidecar.usage;

import dev.tollgate.proto.control.v1.UsageRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Usage records not yet acknowledged by the control plane, kept in memory and in an append-only
 * file. Each record is in the file before it is offered for sending, so a crash of the sidecar
 * process loses nothing; a crash of the machine may lose the last seconds (the file is never
 * fsynced). Once every record in the file has been acknowledged the file counts as empty again,
 * and when it grows past {@value #COMPACT_BYTES} bytes and {@value #COMPACT_RATIO} times the pending
 * records' size it is rewritten with only the pending records. On start, a spool left by an earlier run is read back and re-sent.
 *
 * <p>On disk: length-delimited {@code UsageRecord}s (each a varint byte length, then the record),
 * ended by the end of the file or by a zero byte where the next length would start; what follows
 * that zero is meaningless. Appends are stores into a memory-mapped window of the file, not a
 * system call each, in an order that makes a record appear whole or not at all ({@link SpoolFile}).
 * A record cut short (a damaged file, or a crash of the earlier writer, which appended with
 * {@code write(2)}) is dropped with a WARNING and everything before it is kept.
 *
 * <p>Thread-safe: one lock guards the file and the map.
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

    private final ReentrantLock lock = new ReentrantLock();
    private final SpoolFile spoolFile;
    /** Pending records in arrival order, with the time each was last sent (0 = never). */
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    /**
     * The pending records never sent, in arrival order (may also hold records acknowledged since,
     * skipped when reached): a batch of new records is taken from here without walking the records
     * already in flight, which under load are thousands.
     */
    private final ArrayDeque<Pending> unsent = new ArrayDeque<>();
    /**
     * No pending record was sent before this time ({@link Long#MAX_VALUE}: none is out), so no
     * resend is due before it plus the resend delay; a full walk is needed only then.
     */
    private long earliestSentMs = Long.MAX_VALUE;
    /** Serialized bytes of the pending records (what a rewrite would write). */
    private long pendingBytes;

    /**
     * A record kept serialized: one array per pending record instead of a graph of a few dozen
     * objects. Under load thousands wait for their acknowledgement for up to a second, long enough
     * to be copied by every young collection and promoted; as arrays they cost the collector little.
     */
    private static final class Pending {
        final String id;
        final byte[] record;
        long sentAtMs;

        Pending(String id, byte[] record) {
            this.id = id;
            this.record = record;
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
        List<UsageRecord> recovered = SpoolFile.recover(file);
        for (UsageRecord r : recovered) {
            Pending p = new Pending(r.getId(), r.toByteArray());
            Pending replaced = pending.put(r.getId(), p);
            pendingBytes += p.record.length - (replaced == null ? 0 : replaced.record.length);
            unsent.add(p);
        }
        if (!recovered.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "recovered " + recovered.size() + " unsent usage record(s) from " + file);
        }
        spoolFile = new SpoolFile(file, windowBytes);
        spoolFile.rewrite(records());
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
            Pending p = new Pending(record.getId(), serialized);
            Pending replaced = pending.put(record.getId(), p);
            pendingBytes += serialized.length - (replaced == null ? 0 : replaced.record.length);
            unsent.add(p);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Up to {@code max} records to send now: those never sent, and those sent more than
     * {@code resendAfterMs} ago without an acknowledgement. Marks them sent at {@code nowMs}.
     */
    public List<UsageRecord> takeBatch(int max, long nowMs, long resendAfterMs) {
        List<byte[]> taken = take(max, nowMs, resendAfterMs);
        // Parsed after the lock is released: requests append under it.
        List<UsageRecord> batch = new ArrayList<>(taken.size());
        for (byte[] record : taken) {
            batch.add(parse(record));
        }
        return batch;
    }

    private List<byte[]> take(int max, long nowMs, long resendAfterMs) {
        lock.lock();
        try {
            List<byte[]> batch = new ArrayList<>(Math.min(max, pending.size()));
            if (earliestSentMs != Long.MAX_VALUE && nowMs - earliestSentMs >= resendAfterMs) {
                resendScan(batch, max, nowMs, resendAfterMs);
                return batch;
            }
            // No resend is due: the batch is the oldest never-sent records.
            while (batch.size() < max && !unsent.isEmpty()) {
                Pending p = unsent.poll();
                if (p.sentAtMs == 0 && pending.get(p.id) == p) {
                    p.sentAtMs = nowMs;
                    batch.add(p.record);
                }
            }
            if (!batch.isEmpty() && earliestSentMs == Long.MAX_VALUE) {
                earliestSentMs = nowMs;
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** Walks every pending record in arrival order, taking the never-sent and the due ones alike. */
    private void resendScan(List<byte[]> batch, int max, long nowMs, long resendAfterMs) {
        long earliest = Long.MAX_VALUE;
        for (Pending p : pending.values()) {
            if (batch.size() < max && (p.sentAtMs == 0 || nowMs - p.sentAtMs >= resendAfterMs)) {
                p.sentAtMs = nowMs;
                batch.add(p.record);
            }
            if (p.sentAtMs != 0) {
                earliest = Math.min(earliest, p.sentAtMs);
            }
        }
        earliestSentMs = earliest;
        unsent.clear();
        for (Pending p : pending.values()) {
            if (p.sentAtMs == 0) {
                unsent.add(p);
            }
        }
    }

    /** Drops acknowledged records; shrinks the file when that frees it. */
    public void acknowledge(Collection<String> ids) throws IOException {
        lock.lock();
        try {
            for (String id : ids) {
                Pending gone = pending.remove(id);
                if (gone != null) {
                    pendingBytes -= gone.record.length;
                }
            }
            if (pending.isEmpty()) {
                unsent.clear();
                earliestSentMs = Long.MAX_VALUE;
            }
            if (!spoolFile.isOpen()) {
                // Closed: the file keeps what it held at close, and the acknowledged records in it are
                // sent once more after the next start (the control plane ignores a repeated id).
                return;
            }
            if (pending.isEmpty()) {
                spoolFile.clear();
            } else if (spoolFile.bytes() > COMPACT_BYTES && spoolFile.bytes() > COMPACT_RATIO * pendingBytes) {
                spoolFile.rewrite(records());
            }
        } finally {
            lock.unlock();
        }
    }

    /** After a reconnect: everything pending is sent again. */
    public void markAllUnsent() {
        lock.lock();
        try {
            pending.values().forEach(p -> p.sentAtMs = 0);
            unsent.clear();
            unsent.addAll(pending.values());
            earliestSentMs = Long.MAX_VALUE;
        } finally {
            lock.unlock();
        }
    }

    public int depth() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    private List<byte[]> records() {
        return pending.values().stream().map(p -> p.record).toList();
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
