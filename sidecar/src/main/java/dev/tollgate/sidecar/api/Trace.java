package dev.tollgate.sidecar.api;

import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C trace context of one gateway request: joins the caller's {@code traceparent} when it sent a
 * valid one, else starts a trace; the gateway's own span id is new either way.
 */
record Trace(String traceId, String spanId, String parentSpanId) {

    private static final java.util.HexFormat HEX = java.util.HexFormat.of();

    static Trace from(String traceparent) {
        String spanId = hex(16);
        if (traceparent != null && traceparent.length() == 55 && traceparent.charAt(2) == '-'
                && traceparent.charAt(35) == '-' && traceparent.charAt(52) == '-') {
            String traceId = traceparent.substring(3, 35);
            String parent = traceparent.substring(36, 52);
            if (isHex(traceId) && isHex(parent) && !traceId.chars().allMatch(c -> c == '0')) {
                return new Trace(traceId, spanId, parent);
            }
        }
        return new Trace(hex(32), spanId, "");
    }

    static String newSpanId() {
        return hex(16);
    }

    String traceparent() {
        return "00-" + traceId + "-" + spanId + "-01";
    }

    /** 16 or 32 random lower-case hex digits, never all zero (an invalid id in W3C trace context). */
    private static String hex(int digits) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long first = random.nextLong();
        if (digits == 16) {
            return HEX.toHexDigits(first == 0 ? 1 : first);
        }
        long second = random.nextLong();
        return HEX.toHexDigits(first) + HEX.toHexDigits(first == 0 && second == 0 ? 1 : second);
    }

    private static boolean isHex(String s) {
        return s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
}
