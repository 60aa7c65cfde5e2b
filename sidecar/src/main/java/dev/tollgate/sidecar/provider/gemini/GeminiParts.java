package dev.tollgate.sidecar.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.Failures;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenAI content parts to Gemini parts: text to {@code text}; {@code data:} URLs (images, audio,
 * files) to {@code inlineData}; other URLs ({@code gs://}, {@code https://}, File API URIs) to
 * {@code fileData}. Stateless.
 */
final class GeminiParts {

    private static final Pattern DATA_URL = Pattern.compile("^data:([^;,]+)(?:;[^;,]*)*?;base64,(.*)$", Pattern.DOTALL);

    private GeminiParts() {
    }

    /** Adds the parts of an OpenAI {@code content} (string or list of parts) to {@code into}. */
    static ArrayNode content(String where, JsonNode content, ArrayNode into, boolean textOnly) {
        if (content.isMissingNode() || content.isNull()) {
            return into;
        }
        if (content.isTextual()) {
            addText(into, content.asText());
            return into;
        }
        if (!content.isArray()) {
            throw Failures.badField(where + ".content", where + ".content must be a string or a list of parts.")
                    .exception();
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String at = where + ".content[" + j + "]";
            String type = part.path("type").asText();
            if (type.equals("text")) {
                addText(into, part.path("text").asText());
            } else if (textOnly) {
                throw Failures.badField(at + ".type", at + " is a '" + type + "' part; only text is allowed in this "
                        + "message.").exception();
            } else {
                switch (type) {
                    case "image_url" -> into.add(media(at, url(part.path("image_url"))));
                    case "input_audio" -> into.add(inline("audio/" + part.path("input_audio").path("format").asText("wav"),
                            part.path("input_audio").path("data").asText()));
                    case "file" -> into.add(file(at, part.path("file")));
                    default -> throw Failures.badField(at + ".type", at + ".type '" + type + "' is not supported for "
                            + "Gemini (use text, image_url, input_audio or file).").exception();
                }
            }
        }
        return into;
    }

    /** The text of an OpenAI {@code content}: the string, or its text parts joined. */
    static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder out = new StringBuilder();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").asText())) {
                out.append(part.path("text").asText());
            }
        }
        return out.toString();
    }

    private static void addText(ArrayNode into, String text) {
        // Gemini refuses empty text parts.
        if (!text.isEmpty()) {
            into.addObject().put("text", text);
        }
    }

    private static String url(JsonNode imageUrl) {
        return imageUrl.isTextual() ? imageUrl.asText() : imageUrl.path("url").asText();
    }

    private static ObjectNode media(String where, String url) {
        if (url.startsWith("data:")) {
            Matcher m = DATA_URL.matcher(url);
            if (!m.matches()) {
                throw Failures.badField(where, where + " is a data: URL that is not base64 "
                        + "(expected data:<mime type>;base64,<data>).").exception();
            }
            return inline(m.group(1), m.group(2));
        }
        if (url.isEmpty()) {
            throw Failures.badField(where, where + " has no URL.").exception();
        }
        ObjectNode part = GoogleTransport.JSON.createObjectNode();
        part.putObject("fileData").put("mimeType", mimeOf(url)).put("fileUri", url);
        return part;
    }

    private static ObjectNode file(String where, JsonNode file) {
        if (file.path("file_data").isTextual()) {
            return media(where + ".file.file_data", file.path("file_data").asText());
        }
        if (file.path("file_id").isTextual()) {
            ObjectNode part = GoogleTransport.JSON.createObjectNode();
            ObjectNode data = part.putObject("fileData").put("fileUri", file.path("file_id").asText());
            if (file.path("format").isTextual()) {
                data.put("mimeType", file.path("format").asText());
            }
            return part;
        }
        throw Failures.badField(where + ".file", where + ".file needs file_data (a data: URL) or file_id.").exception();
    }

    private static ObjectNode inline(String mimeType, String data) {
        ObjectNode part = GoogleTransport.JSON.createObjectNode();
        part.putObject("inlineData").put("mimeType", mimeType).put("data", data);
        return part;
    }

    private static String mimeOf(String url) {
        String path = url.toLowerCase(Locale.ROOT);
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        if (path.endsWith(".png")) {
            return "image/png";
        } else if (path.endsWith(".webp")) {
            return "image/webp";
        } else if (path.endsWith(".gif")) {
            return "image/gif";
        } else if (path.endsWith(".heic")) {
            return "image/heic";
        } else if (path.endsWith(".pdf")) {
            return "application/pdf";
        }
        return "image/jpeg";
    }
}
