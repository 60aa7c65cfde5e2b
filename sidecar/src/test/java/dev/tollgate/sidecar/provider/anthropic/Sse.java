package dev.tollgate.sidecar.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** A server-sent event as a test reads it: its {@code event:} name (null if none) and its data. */
record Sse(String name, String data) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<Sse> parse(String body) {
        List<Sse> events = new ArrayList<>();
        String name = null;
        for (String line : body.split("\n")) {
            if (line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line.startsWith("data: ")) {
                events.add(new Sse(name, line.substring(6)));
                name = null;
            }
        }
        return events;
    }

    JsonNode json() {
        try {
            return JSON.readTree(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
