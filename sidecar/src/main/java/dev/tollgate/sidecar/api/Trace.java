package dev.tollgate.sidecar.api;

import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C trace context of one gateway request: joins the caller's {@code traceparent} when it sent a
 * valid one, else starts a trace; the gateway's own span id is new either way.
 */
record Trace(String traceId, String spanId, String parentSpanId) {

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

    private static String hex(int digits) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder out = new StringBuilder(digits);
        for (int i = 0; i < digits; i++) {
            out.append(Character.forDigit(random.nextInt(16), 16));
        }
        return out.toString();
    }

    private static boolean isHex(String s) {
        return s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
}
