package dev.tollgate.sidecar.api;

import dev.tollgate.proto.control.v1.UsageRecord;
import java.io.IOException;

/** Where finished requests' usage records go (the spool in production, a list in tests). */
@FunctionalInterface
public interface UsageSink {
    void record(UsageRecord record) throws IOException;
}
