package dev.tollgate.sidecar;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parsed {@code --name value} / {@code --name=value} command-line flags; unknown flags are refused. */
record Flags(Map<String, String> values) {

    static Flags parse(String[] args, Set<String> known, Set<String> switches) {
        Map<String, String> values = new HashMap<>();
        List<String> list = List.of(args);
        for (int i = 0; i < list.size(); i++) {
            String arg = list.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "' (see --help)");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (switches.contains(name)) {
                value = "true";
            } else {
                if (i + 1 >= list.size()) {
                    throw new IllegalArgumentException("--" + name + " needs a value (see --help)");
                }
                value = list.get(++i);
            }
            if (!known.contains(name) && !switches.contains(name)) {
                throw new IllegalArgumentException("unknown flag --" + name + " (see --help)");
            }
            values.put(name, value);
        }
        return new Flags(Map.copyOf(values));
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int port(String name, int fallback) {
        String text = values.get(name);
        if (text == null) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": '" + text + "' (expected: a port 0-65535)");
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }
}
