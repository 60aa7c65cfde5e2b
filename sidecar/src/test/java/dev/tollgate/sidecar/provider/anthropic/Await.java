package dev.tollgate.sidecar.provider.anthropic;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline (the usage record is written just after the response is sent). */
final class Await {

    private Await() {
    }

    static void until(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }
}
