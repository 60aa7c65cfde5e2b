package dev.tollgate.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads CPU time and resident memory of a process from Linux's {@code /proc}. Stateless. */
public final class ProcStat {

    /** Clock ticks per second of {@code utime}/{@code stime}; 100 on every Linux the project runs on. */
    public static final long CLOCK_TICKS_PER_SECOND = 100;

    private ProcStat() {
    }

    /** User + system CPU time of {@code pid} in clock ticks (fields 14 and 15 of {@code /proc/PID/stat}); -1 if gone. */
    public static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU ticks of {@code pid} and all its live descendants (nginx's workers, say), with those of the
     * children they reaped ({@code cutime + cstime}): a PostgreSQL backend that exits between two
     * readings moves its time to the postmaster instead of taking it out of the sum.
     */
    public static long treeCpuTicks(long pid) {
        long total = Math.max(0, withReaped(pid));
        for (ProcessHandle child : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(java.util.List.of())) {
            total += Math.max(0, withReaped(child.pid()));
        }
        return total;
    }

    private static long withReaped(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A {@code kB} field of {@code /proc/PID/status} ({@code VmRSS}, {@code VmHWM}); -1 if gone. */
    public static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Resident memory of {@code pid} and its descendants, in kB. */
    public static long treeRssKb(long pid) {
        return treeStatusKb(pid, "VmRSS");
    }

    /**
     * A {@code kB} field summed over {@code pid} and its descendants (for {@code VmHWM}, the sum of
     * each process's own peak: an upper bound of the tree's peak); -1 if the process is gone.
     */
    public static long treeStatusKb(long pid, String field) {
        long own = statusKb(pid, field);
        if (own < 0) {
            return -1;
        }
        long total = own;
        for (ProcessHandle child : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(java.util.List.of())) {
            total += Math.max(0, statusKb(child.pid(), field));
        }
        return total;
    }

    /** The 1, 5 and 15 minute load averages, as {@code /proc/loadavg} gives them. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
