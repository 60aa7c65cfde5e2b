package dev.tollgate.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command line as its {@code --help} text describes it: the flags (with their value and
 * default) and the environment variables. Parsed from the {@code HELP} text block of a
 * {@code Main.java}, so that the manifests are checked against what the code prints, not
 * against a second copy of it.
 */
record Cli(String command, Map<String, Flag> flags, Set<String> env) {

    /** One {@code --name VALUE  description  [default]} line. */
    record Flag(String name, boolean takesValue, Optional<String> defaultValue) {
        boolean required() {
            return defaultValue.filter("required"::equals).isPresent();
        }
    }

    private static final Pattern FLAG = Pattern.compile(
            "^--([a-z][a-z0-9-]*)(?: (\\S+))?(?:\\s{2,}(.*?))?\\s*(?:\\[([^\\]]*)])?$");
    private static final Pattern ENV = Pattern.compile("^([A-Z][A-Z0-9_]*(?:,\\s*[A-Z][A-Z0-9_]*)*)(?:\\s|$)");

    /** Parses the text block {@code constant} (e.g. {@code HELP}) of a Java source. */
    static Cli parse(String command, String javaSource, String constant) {
        String help = textBlock(javaSource, constant);
        Map<String, Flag> flags = new LinkedHashMap<>();
        Set<String> env = new LinkedHashSet<>();
        String section = "";
        for (String raw : help.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                section = "";
            } else if (line.endsWith(":") && !line.startsWith("-")) {
                section = line;
            } else if (section.equals("Flags:") && line.startsWith("--")) {
                Matcher m = FLAG.matcher(line);
                if (!m.matches()) {
                    throw new IllegalArgumentException(command + " help: cannot read flag line '" + line + "'");
                }
                flags.put(m.group(1), new Flag(m.group(1), m.group(2) != null, Optional.ofNullable(m.group(4))));
            } else if (section.equals("Environment:")) {
                Matcher m = ENV.matcher(line);
                if (m.find()) {
                    for (String name : m.group(1).split(",")) {
                        env.add(name.strip());
                    }
                }
            }
        }
        if (flags.isEmpty()) {
            throw new IllegalArgumentException(command + " help: no 'Flags:' section found in " + constant);
        }
        return new Cli(command, Map.copyOf(flags), Set.copyOf(env));
    }

    static String textBlock(String javaSource, String constant) {
        Matcher m = Pattern.compile("\\b" + constant + "\\s*=\\s*\"\"\"\\s*\\n(.*?)\"\"\"", Pattern.DOTALL)
                .matcher(javaSource);
        if (!m.find()) {
            throw new IllegalArgumentException("no text block " + constant + " = \"\"\"...\"\"\" in the source");
        }
        return m.group(1);
    }

    /** What is wrong with running this command with {@code args}: unknown flags, missing values, stray words. */
    List<String> problems(List<String> args, String where) {
        List<String> out = new ArrayList<>();
        Set<String> given = new LinkedHashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                out.add(where + ": '" + arg + "' is not a flag of " + command + " (flags: " + flags.keySet() + ")");
                continue;
            }
            String name = arg.substring(2);
            int eq = name.indexOf('=');
            boolean inlineValue = eq >= 0;
            if (inlineValue) {
                name = name.substring(0, eq);
            }
            Flag flag = flags.get(name);
            if (flag == null) {
                out.add(where + ": unknown flag --" + name + " for " + command + " (its --help lists " + flags.keySet() + ")");
                continue;
            }
            given.add(name);
            if (flag.takesValue() && !inlineValue) {
                if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                    out.add(where + ": --" + name + " needs a value");
                } else {
                    i++;
                }
            }
        }
        for (Flag flag : flags.values()) {
            if (flag.required() && !given.contains(flag.name())) {
                out.add(where + ": " + command + " needs --" + flag.name());
            }
        }
        return out;
    }

    /** The value of {@code flag} in {@code args}, else its default from the help text. */
    Optional<String> value(List<String> args, String flag) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--" + flag) && i + 1 < args.size()) {
                return Optional.of(args.get(i + 1));
            }
            if (arg.startsWith("--" + flag + "=")) {
                return Optional.of(arg.substring(flag.length() + 3));
            }
        }
        Flag f = flags.get(flag);
        return f == null ? Optional.empty() : f.defaultValue().filter(d -> !f.required());
    }

    boolean given(List<String> args, String flag) {
        return args.stream().anyMatch(a -> a.equals("--" + flag) || a.startsWith("--" + flag + "="));
    }

    /** The port that {@code flag} selects in {@code args} (its default when absent); -1 when it is not a number. */
    int port(List<String> args, String flag) {
        String v = value(args, flag).orElseThrow(() -> new IllegalArgumentException(
                command + ": --" + flag + " has no default in its --help"));
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The flags that name a listening port ({@code --port}, {@code --*-port}). */
    List<String> portFlags() {
        return flags.keySet().stream().filter(f -> f.equals("port") || f.endsWith("-port")).sorted().toList();
    }
}
