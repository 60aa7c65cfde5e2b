package dev.tollgate.controlplane;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Command-line flags ({@code --name value} / {@code --name=value}; unknown ones refused), each also
 * settable from the environment as {@code TOLLGATE_<NAME>} (upper case, {@code -} as {@code _}):
 * a flag beats the environment, which beats the caller's fallback. Remembers where each value came
 * from, for {@code --print-config}.
 */
record Flags(Map<String, Value> values) {

    /** A value and where it came from: {@code --name} or {@code TOLLGATE_NAME}. */
    record Value(String text, String source) {
    }

    /** Flags that are commands, not settings: never read from the environment. */
    private static final Set<String> COMMANDS = Set.of("help", "print-config", "check-config");

    static String envName(String flag) {
        return "TOLLGATE_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    static Flags parse(String[] args, Set<String> known, Set<String> switches) {
        return parse(args, known, switches, Map.of());
    }

    static Flags parse(String[] args, Set<String> known, Set<String> switches, Map<String, String> env) {
        Map<String, Value> values = new HashMap<>();
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
            values.put(name, new Value(value, "--" + name));
        }
        for (String name : known) {
            String text = env.get(envName(name));
            if (!COMMANDS.contains(name) && !values.containsKey(name) && text != null && !text.isEmpty()) {
                values.put(name, new Value(text, envName(name)));
            }
        }
        for (String name : switches) {
            String text = env.get(envName(name));
            if (COMMANDS.contains(name) || values.containsKey(name) || text == null || text.isEmpty()) {
                continue;
            }
            switch (text.toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes" -> values.put(name, new Value("true", envName(name)));
                case "false", "0", "no" -> { }
                default -> throw new IllegalArgumentException(envName(name) + ": '" + text + "' (expected: true or false)");
            }
        }
        return new Flags(Map.copyOf(values));
    }

    String get(String name, String fallback) {
        Value value = values.get(name);
        return value == null ? fallback : value.text();
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name)).map(Value::text);
    }

    /** {@code --name}, {@code TOLLGATE_NAME}, or {@code fallback} when neither set it. */
    String source(String name, String fallback) {
        Value value = values.get(name);
        return value == null ? fallback : value.source();
    }

    int port(String name, int fallback) {
        Value value = values.get(name);
        if (value == null) {
            return fallback;
        }
        return port(value.text(), value.source());
    }

    static int port(String text, String source) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": '" + text + "' (expected: a port 0-65535)");
        }
    }

    /** Seconds, whole or with a fraction, optionally followed by {@code s}. */
    Duration seconds(String name, Duration fallback) {
        Value value = values.get(name);
        return value == null ? fallback : seconds(value.text(), value.source());
    }

    static Duration seconds(String text, String source) {
        String digits = text.trim().endsWith("s") ? text.trim().substring(0, text.trim().length() - 1) : text.trim();
        try {
            BigDecimal seconds = new BigDecimal(digits);
            if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(3600)) > 0) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(seconds.movePointRight(3).longValue());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": '" + text + "' (expected: seconds, 0-3600, e.g. 20 or 2.5)");
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }
}
