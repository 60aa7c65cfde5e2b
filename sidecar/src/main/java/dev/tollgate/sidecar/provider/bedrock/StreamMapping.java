package dev.tollgate.sidecar.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.provider.ProviderAdapter.ChunkSink;
import dev.tollgate.sidecar.provider.ProviderCall;
import dev.tollgate.sidecar.provider.TokenUsage;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * ConverseStream events to OpenAI chunks, each written to the sink as its event arrives: messageStart opens with
 * {@code role: assistant}; text deltas become {@code content}; a toolUse block start and its input fragments become
 * {@code tool_calls} entries (OpenAI indexes count tool calls, Converse indexes count all blocks); messageStop
 * carries the finish reason; metadata carries usage, written last when the client asked for it. Exception events
 * end the stream with a gateway error. Not thread-safe: one per stream.
 */
final class StreamMapping {

    private final ProviderCall call;
    private final BedrockSettings settings;
    private final ChunkSink sink;
    private final String id;
    private final long created;
    private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
    private boolean started;
    private boolean finished;
    private TokenUsage usage = TokenUsage.NONE;

    StreamMapping(ProviderCall call, BedrockSettings settings, ChunkSink sink, String id, long created) {
        this.call = call;
        this.settings = settings;
        this.sink = sink;
        this.id = id;
        this.created = created;
    }

    void accept(EventStreamDecoder.Message message) throws IOException {
        switch (message.header(":message-type")) {
            case "event" -> event(message.header(":event-type"), payload(message));
            case "exception" -> throw BedrockErrors.midStream(call, settings, message.header(":exception-type"),
                    message.payload()).exception();
            case "error" -> throw BedrockErrors.midStream(call, settings, message.header(":error-code"),
                    message.header(":error-message").getBytes(java.nio.charset.StandardCharsets.UTF_8)).exception();
            default -> {
                // Other message types carry nothing for the client.
            }
        }
    }

    /** Closes the stream: a finish chunk if messageStop never came, then usage when asked. Returns the usage. */
    TokenUsage finish() throws IOException {
        start();
        if (!finished) {
            emit(delta(), "stop");
        }
        if (call.clientWantsUsage()) {
            ObjectNode last = chunk();
            last.putArray("choices");
            last.set("usage", ResponseMapping.usageNode(usage));
            sink.chunk(BedrockAdapter.bytes(last));
        }
        return usage;
    }

    private void event(String type, JsonNode event) throws IOException {
        switch (type) {
            case "messageStart" -> start();
            case "contentBlockStart" -> blockStart(event);
            case "contentBlockDelta" -> blockDelta(event);
            case "messageStop" -> {
                start();
                finished = true;
                emit(delta(), ResponseMapping.finishReason(event.path("stopReason").asText("")));
            }
            case "metadata" -> usage = ResponseMapping.usage(event.path("usage"));
            default -> {
                // contentBlockStop and future event types need no chunk.
            }
        }
    }

    private void blockStart(JsonNode event) throws IOException {
        JsonNode toolUse = event.path("start").path("toolUse");
        if (!toolUse.isObject()) {
            return;
        }
        start();
        ObjectNode toolCall = toolCall(event.path("contentBlockIndex").asInt())
                .put("id", toolUse.path("toolUseId").asText())
                .put("type", "function");
        toolCall.putObject("function").put("name", toolUse.path("name").asText()).put("arguments", "");
        emitToolCall(toolCall);
    }

    private void blockDelta(JsonNode event) throws IOException {
        JsonNode delta = event.path("delta");
        if (delta.path("text").isTextual()) {
            start();
            emit(delta().put("content", delta.path("text").asText()), null);
        } else if (delta.path("toolUse").path("input").isTextual()) {
            start();
            ObjectNode toolCall = toolCall(event.path("contentBlockIndex").asInt());
            toolCall.putObject("function").put("arguments", delta.path("toolUse").path("input").asText());
            emitToolCall(toolCall);
        }
        // Reasoning and citation deltas have no OpenAI chunk field; they are not relayed.
    }

    private ObjectNode toolCall(int blockIndex) {
        int index = toolIndexByBlock.computeIfAbsent(blockIndex, b -> toolIndexByBlock.size());
        return BedrockAdapter.JSON.createObjectNode().put("index", index);
    }

    private void emitToolCall(ObjectNode toolCall) throws IOException {
        ObjectNode delta = delta();
        delta.putArray("tool_calls").add(toolCall);
        emit(delta, null);
    }

    private void start() throws IOException {
        if (!started) {
            started = true;
            emit(delta().put("role", "assistant").put("content", ""), null);
        }
    }

    private void emit(ObjectNode delta, String finishReason) throws IOException {
        ObjectNode chunk = chunk();
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        choice.put("finish_reason", finishReason);
        sink.chunk(BedrockAdapter.bytes(chunk));
    }

    private ObjectNode chunk() {
        return BedrockAdapter.JSON.createObjectNode()
                .put("id", id)
                .put("object", "chat.completion.chunk")
                .put("created", created)
                .put("model", call.deployment().getModel());
    }

    private static ObjectNode delta() {
        return BedrockAdapter.JSON.createObjectNode();
    }

    private JsonNode payload(EventStreamDecoder.Message message) {
        try {
            JsonNode node = BedrockAdapter.JSON.readTree(message.payload());
            return node == null ? BedrockAdapter.JSON.missingNode() : node;
        } catch (IOException e) {
            throw BedrockErrors.badResponse(call, "sent a " + settings.scrub(message.header(":event-type"))
                    + " event whose payload is not JSON").exception();
        }
    }
}
