package dev.tollgate.sidecar.routing;

import java.time.Duration;

/** Waits between attempts; tests pass one that records the wait instead of sleeping. */
@FunctionalInterface
public interface Pause {

    Pause SLEEP = d -> Thread.sleep(d);

    void pause(Duration duration) throws InterruptedException;
}
