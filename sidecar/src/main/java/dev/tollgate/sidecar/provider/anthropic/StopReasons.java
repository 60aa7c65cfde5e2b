package dev.tollgate.sidecar.provider.anthropic;

/** Anthropic {@code stop_reason} against OpenAI {@code finish_reason}, both ways. */
final class StopReasons {

    private StopReasons() {
    }

    /** For the adapter. In JSON mode the forced tool's {@code tool_use} is the answer itself: {@code stop}. */
    static String toFinishReason(String stopReason, boolean jsonMode) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> jsonMode ? "stop" : "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop"; // end_turn, stop_sequence, pause_turn
        };
    }

    /** For the {@code /v1/messages} surface. */
    static String toStopReason(String finishReason) {
        if (finishReason == null) {
            return "end_turn";
        }
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }
}
