package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * OpenAI chunks to Anthropic stream events, chunk by chunk, for the {@code /v1/messages} surface:
 * {@code message_start} and a {@code ping} at the first chunk; each run of text, and each tool call, is
 * a content block ({@code content_block_start}, {@code text_delta} or {@code input_json_delta} deltas,
 * {@code content_block_stop}); {@link #finish} sends {@code message_delta} with the stop reason and
 * usage, then {@code message_stop}. Confined to the stream's thread.
 */
public final class SurfaceStream {

    /** Receives one Anthropic event: its name and the JSON of its {@code data:} line. */
    @FunctionalInterface
    public interface EventSink {
        void event(String name, byte[] json) throws IOException;
    }

    private final String model;
    private final String messageId;
    private final EventSink sink;
    /** Anthropic content block index of each OpenAI tool call, by the call's {@code index}. */
    private final Map<Integer, Integer> blockByTool = new HashMap<>();
    private boolean started;
    private int blocks;
    /** The open block's index, or -1; and whether it is a text block. */
    private int open = -1;
    private boolean openIsText;
    private String finishReason;

    public SurfaceStream(String model, String messageId, EventSink sink) {
        this.model = model;
        this.messageId = MessagesSurface.messageId(messageId);
        this.sink = sink;
    }

    /** Translates one OpenAI {@code chat.completion.chunk}. */
    public void chunk(byte[] openAiChunk) throws IOException {
        JsonNode chunk = Json.MAPPER.readTree(openAiChunk);
        JsonNode choice = chunk.path("choices").path(0);
        if (choice.isMissingNode()) {
            return; // the usage chunk: usage arrives through finish()
        }
        start();
        JsonNode delta = choice.path("delta");
        String text = delta.path("content").asText("");
        if (!text.isEmpty()) {
            if (open < 0 || !openIsText) {
                openBlock(Json.object().put("type", "text").put("text", ""), true);
            }
            blockDelta(open, Json.object().put("type", "text_delta").put("text", text));
        }
        // Only a list holds tool calls: an object's size() counts fields that get(i) cannot reach.
        JsonNode calls = delta.path("tool_calls").isArray() ? delta.path("tool_calls") : Json.array();
        for (int i = 0; i < calls.size(); i++) {
            toolCall(calls.get(i), i);
        }
        if (choice.path("finish_reason").isTextual()) {
            finishReason = choice.path("finish_reason").asText();
        }
    }

    /** Closes the message with its stop reason and what it consumed. */
    public void finish(TokenUsage usage) throws IOException {
        start();
        closeBlock();
        ObjectNode delta = Json.object().put("type", "message_delta");
        delta.putObject("delta").put("stop_reason", StopReasons.toStopReason(finishReason)).putNull("stop_sequence");
        delta.set("usage", UsageMapping.anthropic(usage));
        sink.event("message_delta", Json.bytes(delta));
        sink.event("message_stop", Json.bytes(Json.object().put("type", "message_stop")));
    }

    private void toolCall(JsonNode call, int position) throws IOException {
        int tool = call.path("index").asInt(position);
        Integer block = blockByTool.get(tool);
        if (block == null) {
            ObjectNode toolUse = Json.object().put("type", "tool_use")
                    .put("id", call.path("id").asText("toolu_" + messageId + "_" + tool))
                    .put("name", call.path("function").path("name").asText(""));
            toolUse.putObject("input");
            block = openBlock(toolUse, false);
            blockByTool.put(tool, block);
        }
        String fragment = call.path("function").path("arguments").asText("");
        if (!fragment.isEmpty()) {
            blockDelta(block, Json.object().put("type", "input_json_delta").put("partial_json", fragment));
        }
    }

    private void start() throws IOException {
        if (started) {
            return;
        }
        started = true;
        ObjectNode event = Json.object().put("type", "message_start");
        ObjectNode message = event.putObject("message").put("id", messageId).put("type", "message")
                .put("role", "assistant").put("model", model);
        message.putArray("content");
        message.putNull("stop_reason").putNull("stop_sequence");
        // OpenAI reports usage only at the end; message_delta carries the real counts.
        message.set("usage", UsageMapping.anthropic(TokenUsage.NONE));
        sink.event("message_start", Json.bytes(event));
        sink.event("ping", Json.bytes(Json.object().put("type", "ping")));
    }

    private int openBlock(ObjectNode contentBlock, boolean text) throws IOException {
        closeBlock();
        open = blocks++;
        openIsText = text;
        ObjectNode event = Json.object().put("type", "content_block_start").put("index", open);
        event.set("content_block", contentBlock);
        sink.event("content_block_start", Json.bytes(event));
        return open;
    }

    private void blockDelta(int index, ObjectNode delta) throws IOException {
        ObjectNode event = Json.object().put("type", "content_block_delta").put("index", index);
        event.set("delta", delta);
        sink.event("content_block_delta", Json.bytes(event));
    }

    private void closeBlock() throws IOException {
        if (open >= 0) {
            sink.event("content_block_stop", Json.bytes(Json.object().put("type", "content_block_stop")
                    .put("index", open)));
            open = -1;
        }
    }
}
