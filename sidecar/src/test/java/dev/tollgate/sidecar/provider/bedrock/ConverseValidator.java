package dev.tollgate.sidecar.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/** The request checks Bedrock applies to Converse bodies, with Bedrock's ValidationException messages. */
final class ConverseValidator {

    private static final Set<String> TOP_LEVEL = Set.of("messages", "system", "inferenceConfig", "toolConfig",
            "additionalModelRequestFields", "additionalModelResponseFieldPaths", "guardrailConfig",
            "performanceConfig", "promptVariables", "requestMetadata", "serviceTier", "outputConfig");
    private static final Set<String> INFERENCE = Set.of("maxTokens", "temperature", "topP", "stopSequences");
    private static final Set<String> BLOCKS = Set.of("text", "image", "toolUse", "toolResult", "document", "video",
            "cachePoint", "reasoningContent", "guardContent");

    private ConverseValidator() {
    }

    static Optional<String> validate(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!TOP_LEVEL.contains(field)) {
                return Optional.of("Malformed input request: extraneous key [" + field + "] is not permitted, "
                        + "please reformat your input and try again.");
            }
        }
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            return Optional.of("A conversation must start with a user message. Try again with a conversation that "
                    + "starts with a user message.");
        }
        boolean hasTools = body.path("toolConfig").path("tools").isArray();
        String previous = "";
        for (int i = 0; i < messages.size(); i++) {
            String role = messages.get(i).path("role").asText();
            if (!role.equals("user") && !role.equals("assistant")) {
                return Optional.of("1 validation error detected: Value '" + role + "' at 'messages." + (i + 1)
                        + ".member.role' failed to satisfy constraint: Member must satisfy enum value set: "
                        + "[user, assistant]");
            }
            if (i == 0 && !role.equals("user")) {
                return Optional.of("A conversation must start with a user message. Try again with a conversation "
                        + "that starts with a user message.");
            }
            if (role.equals(previous)) {
                return Optional.of("A conversation must alternate between user and assistant roles. Make sure the "
                        + "conversation alternates between user and assistant roles and try again.");
            }
            previous = role;
            Optional<String> content = content(messages.get(i).path("content"), "messages." + i, hasTools);
            if (content.isPresent()) {
                return content;
            }
        }
        for (JsonNode block : body.path("system")) {
            if (block.path("text").asText("").isBlank()) {
                return Optional.of("The text field in the SystemContentBlock object is blank. Add text to the text "
                        + "field, and try again.");
            }
        }
        return inference(body.path("inferenceConfig")).or(() -> tools(body.path("toolConfig")));
    }

    private static Optional<String> content(JsonNode content, String where, boolean hasTools) {
        if (!content.isArray() || content.isEmpty()) {
            return Optional.of("The content field in the Message object at " + where + " is empty. Add a "
                    + "ContentBlock object to the content field and try again.");
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode block = content.get(j);
            String at = where + ".content." + j;
            if (block.size() != 1 || !BLOCKS.contains(block.fieldNames().next())) {
                return Optional.of("Malformed input request: the ContentBlock at " + at + " must have exactly one "
                        + "known member.");
            }
            if (block.has("text") && block.path("text").asText("").isBlank()) {
                return Optional.of("The text field in the ContentBlock object at " + at + " is blank. Add text to "
                        + "the text field, and try again.");
            }
            if ((block.has("toolUse") || block.has("toolResult")) && !hasTools) {
                return Optional.of("The toolConfig field must be defined when using toolUse and toolResult content "
                        + "blocks.");
            }
            if (block.has("toolUse") && !block.path("toolUse").path("input").isObject()) {
                return Optional.of("The input field of the toolUse block at " + at + " must be a JSON object.");
            }
            if (block.has("image")) {
                Optional<String> image = image(block.path("image"), at);
                if (image.isPresent()) {
                    return image;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> image(JsonNode image, String at) {
        if (!Set.of("png", "jpeg", "gif", "webp").contains(image.path("format").asText())) {
            return Optional.of("1 validation error detected: Value at '" + at + ".image.format' failed to satisfy "
                    + "constraint: Member must satisfy enum value set: [png, jpeg, gif, webp]");
        }
        try {
            Base64.getDecoder().decode(image.path("source").path("bytes").asText(""));
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("Malformed input request: the image bytes at " + at + " are not valid base64.");
        }
    }

    private static Optional<String> inference(JsonNode config) {
        for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!INFERENCE.contains(field)) {
                return Optional.of("Malformed input request: extraneous key [inferenceConfig." + field + "]");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> tools(JsonNode toolConfig) {
        for (JsonNode tool : toolConfig.path("tools")) {
            JsonNode spec = tool.path("toolSpec");
            if (spec.path("name").asText("").isEmpty() || !spec.path("inputSchema").path("json").isObject()) {
                return Optional.of("The toolSpec must have a name and an inputSchema with a json schema.");
            }
        }
        JsonNode choice = toolConfig.path("toolChoice");
        if (!choice.isMissingNode() && (choice.size() != 1
                || !Set.of("auto", "any", "tool").contains(choice.fieldNames().next()))) {
            return Optional.of("Malformed input request: toolChoice must be one of auto, any or tool.");
        }
        return Optional.empty();
    }
}
