package dev.tollgate.sidecar.testing;

import java.util.ArrayList;
import java.util.List;

/** The {@code data:} payloads of a server-sent-events body, in order (for asserting streams). */
public final class SseData {

    private SseData() {
    }

    public static List<String> of(String body) {
        List<String> out = new ArrayList<>();
        for (String line : body.split("\r?\n")) {
            if (line.startsWith("data:")) {
                out.add(line.substring(line.startsWith("data: ") ? 6 : 5));
            }
        }
        return out;
    }
}
