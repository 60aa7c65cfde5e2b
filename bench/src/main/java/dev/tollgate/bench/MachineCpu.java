package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Busy CPU time of the whole machine from {@code /proc/stat}. Stateless. */
final class MachineCpu {

    private MachineCpu() {
    }

    /** Clock ticks all CPUs spent not idle (user, nice, system, irq, softirq, steal) since boot; -1 if unknown. */
    static long busyTicks() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
