package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Media parts both ways: OpenAI {@code image_url} (a {@code data:} URL or an http(s) URL) and {@code file}
 * (a PDF as a {@code data:} URL) against Anthropic {@code image} and {@code document} blocks with a
 * {@code base64} or {@code url} source.
 */
final class ContentParts {

    private ContentParts() {
    }

    /** A {@code data:<media type>;base64,<data>} URL taken apart. */
    record DataUrl(String mediaType, String data) {

        static DataUrl parse(String url) {
            int comma = url.indexOf(',');
            if (!url.startsWith("data:") || comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
                return null;
            }
            return new DataUrl(url.substring(5, comma - ";base64".length()), url.substring(comma + 1));
        }

        String url() {
            return "data:" + mediaType + ";base64," + data;
        }
    }

    /** OpenAI {@code image_url} (object or bare string) to an Anthropic image block. */
    static ObjectNode image(JsonNode imageUrl, String at) {
        String url = imageUrl.isTextual() ? imageUrl.asText() : imageUrl.path("url").asText("");
        ObjectNode block = Json.object().put("type", "image");
        DataUrl data = DataUrl.parse(url);
        if (data != null) {
            block.putObject("source").put("type", "base64").put("media_type", data.mediaType()).put("data", data.data());
        } else if (url.startsWith("https://") || url.startsWith("http://")) {
            block.putObject("source").put("type", "url").put("url", url);
        } else {
            throw MessageMapping.badContent(at, "image_url.url must be a data:<type>;base64, URL or an http(s) URL");
        }
        return block;
    }

    /** OpenAI {@code file} with {@code file_data} to an Anthropic document block. */
    static ObjectNode document(JsonNode file, String at) {
        DataUrl data = DataUrl.parse(file.path("file_data").asText(""));
        if (data == null) {
            throw MessageMapping.badContent(at, "file must carry file_data as a data:application/pdf;base64, URL "
                    + "(file_id is not supported by Anthropic deployments)");
        }
        ObjectNode block = Json.object().put("type", "document");
        block.putObject("source").put("type", "base64").put("media_type", data.mediaType()).put("data", data.data());
        return block;
    }

    /** Anthropic image or document block to an OpenAI part (for the /v1/messages surface). */
    static ObjectNode toOpenAi(JsonNode block, String at) {
        JsonNode source = block.path("source");
        String url = switch (source.path("type").asText()) {
            case "base64" -> new DataUrl(source.path("media_type").asText(), source.path("data").asText()).url();
            case "url" -> source.path("url").asText();
            default -> throw MessageMapping.badContent(at + ".source", "must have type base64 or url");
        };
        if ("document".equals(block.path("type").asText())) {
            if (!"base64".equals(source.path("type").asText())) {
                throw MessageMapping.badContent(at + ".source", "of a document must be base64 through this gateway");
            }
            ObjectNode part = Json.object().put("type", "file");
            part.putObject("file").put("file_data", url).put("filename", block.path("title").asText("document.pdf"));
            return part;
        }
        ObjectNode part = Json.object().put("type", "image_url");
        part.putObject("image_url").put("url", url);
        return part;
    }
}
