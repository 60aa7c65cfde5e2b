package dev.tollgate.sidecar.usage;

import com.google.protobuf.CodedOutputStream;
import dev.tollgate.proto.control.v1.UsageRecord;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Usage records not yet acknowledged by the control plane, kept in memory and in an append-only
 * file (length-delimited protobuf). Each record is written to the file (handed to the OS) before
 * it is offered for sending, so a crash of the sidecar process loses nothing; the file is
 * truncated once every record in it has been acknowledged, and rewritten with only the pending
 * records when it grows. On start, a spool left by an earlier run is read back and re-sent.
 * Thread-safe: one lock guards the file and the map.
 */
public final class UsageSpool implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(UsageSpool.class.getName());
    private static final long COMPACT_BYTES = 4L * 1024 * 1024;

    private final Path file;
    private final ReentrantLock lock = new ReentrantLock();
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
    private OutputStream out;
    private long fileBytes;

    private static final class Pending {
        final UsageRecord record;
        long sentAtMs;

        Pending(UsageRecord record) {
            this.record = record;
        }
    }

    public UsageSpool(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (Files.exists(file)) {
            int recovered = 0;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                while (true) {
                    UsageRecord r;
                    try {
                        r = UsageRecord.parseDelimitedFrom(in);
                    } catch (IOException e) {
                        // A record cut short by a crash mid-write: everything before it is intact.
                        LOG.log(System.Logger.Level.WARNING, "usage spool " + file + " ends in a partial record; "
                                + "it is dropped");
                        break;
                    }
                    if (r == null) {
                        break;
                    }
                    Pending p = new Pending(r);
                    pending.put(r.getId(), p);
                    unsent.add(p);
                    recovered++;
                }
            }
            if (recovered > 0) {
                LOG.log(System.Logger.Level.INFO, "recovered " + recovered + " unsent usage record(s) from " + file);
            }
        }
        rewrite();
    }

    /** Writes the record to the spool file; returns once the OS holds it. */
    public void append(UsageRecord record) throws IOException {
        lock.lock();
        try {
            byte[] bytes = delimited(record);
            out.write(bytes);
            out.flush();
            fileBytes += bytes.length;
            Pending p = new Pending(record);
            pending.put(record.getId(), p);
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
        lock.lock();
        try {
            List<UsageRecord> batch = new ArrayList<>(Math.min(max, pending.size()));
            if (earliestSentMs != Long.MAX_VALUE && nowMs - earliestSentMs >= resendAfterMs) {
                resendScan(batch, max, nowMs, resendAfterMs);
                return batch;
            }
            // No resend is due: the batch is the oldest never-sent records.
            while (batch.size() < max && !unsent.isEmpty()) {
                Pending p = unsent.poll();
                if (p.sentAtMs == 0 && pending.get(p.record.getId()) == p) {
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
    private void resendScan(List<UsageRecord> batch, int max, long nowMs, long resendAfterMs) {
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
                pending.remove(id);
            }
            if (pending.isEmpty()) {
                unsent.clear();
                earliestSentMs = Long.MAX_VALUE;
            }
            if (pending.isEmpty() || fileBytes > COMPACT_BYTES) {
                rewrite();
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

    /** Replaces the file with one holding just the pending records (atomically, via rename). */
    private void rewrite() throws IOException {
        if (out != null) {
            out.close();
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        long bytes = 0;
        try (OutputStream o = Files.newOutputStream(tmp)) {
            for (Pending p : pending.values()) {
                byte[] b = delimited(p.record);
                o.write(b);
                bytes += b.length;
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        out = Files.newOutputStream(file, StandardOpenOption.APPEND);
        fileBytes = bytes;
    }

    /** The record with its length prefix, serialised straight into an exactly sized array. */
    private static byte[] delimited(UsageRecord record) throws IOException {
        int size = record.getSerializedSize();
        byte[] out = new byte[CodedOutputStream.computeUInt32SizeNoTag(size) + size];
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        coded.writeUInt32NoTag(size);
        record.writeTo(coded);
        coded.checkNoSpaceLeft();
        return out;
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            out.close();
        } finally {
            lock.unlock();
        }
    }
}
