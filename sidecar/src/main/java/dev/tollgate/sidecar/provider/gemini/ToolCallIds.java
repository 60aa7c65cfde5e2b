package dev.tollgate.sidecar.provider.gemini;

import java.util.Optional;

/**
 * OpenAI tool-call ids for Gemini function calls. Gemini names no call, so ids are made up; and
 * thinking models attach a {@code thoughtSignature} to a function call that must be sent back with
 * it on the next turn, so the signature rides inside the id the client echoes back.
 */
final class ToolCallIds {

    private static final String SIGNATURE = "__thought__";

    private ToolCallIds() {
    }

    /** The id of the {@code n}th tool call of candidate {@code candidate} in answer {@code responseId}. */
    static String make(String responseId, int candidate, int n, String thoughtSignature) {
        String id = "call_" + shortId(responseId) + "_" + candidate + "_" + n;
        return thoughtSignature == null || thoughtSignature.isEmpty() ? id : id + SIGNATURE + thoughtSignature;
    }

    /** The thought signature carried in an id made by {@link #make}, if any. */
    static Optional<String> signature(String id) {
        int at = id.indexOf(SIGNATURE);
        return at < 0 ? Optional.empty() : Optional.of(id.substring(at + SIGNATURE.length()));
    }

    private static String shortId(String id) {
        String compact = id.replace("-", "");
        return compact.length() > 12 ? compact.substring(0, 12) : compact;
    }
}
