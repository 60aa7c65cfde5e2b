package dev.tollgate.deploy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ./tollgate} launcher script as far as deployment files use it: its subcommands, the
 * environment variables it reads, the JVM flags it passes, and which jar a subcommand runs.
 */
record Launcher(String file, List<String> commands, List<String> jvmFlags, List<String> sidecarJvmFlags,
                String script) {

    static final String FILE = "tollgate";

    static Launcher parse(Repo repo) {
        String script = repo.read(FILE);
        Matcher usage = Pattern.compile("\\nCommands:\\n(.*?)\\n\\s*\\n", Pattern.DOTALL).matcher(script);
        if (!usage.find()) {
            throw new IllegalStateException(FILE + ": no 'Commands:' list in its usage text");
        }
        List<String> commands = new ArrayList<>();
        Matcher cmd = Pattern.compile("(?m)^  ([a-z][a-z-]*)\\s{2,}").matcher(usage.group(1));
        while (cmd.find()) {
            commands.add(cmd.group(1));
        }
        Matcher opts = Pattern.compile("JAVA_OPTS_DEFAULT=\\(([^)]*)\\)").matcher(script);
        List<String> jvm = opts.find() ? List.of(opts.group(1).strip().split("\\s+")) : List.of();
        Matcher sidecarOpts = Pattern.compile("SIDECAR_JAVA_OPTS=\\(([^)]*)\\)").matcher(script);
        List<String> sidecarJvm = sidecarOpts.find() ? List.of(sidecarOpts.group(1).strip().split("\\s+")) : List.of();
        return new Launcher(FILE, List.copyOf(commands), jvm, sidecarJvm, script);
    }

    /** The JVM flags the launcher runs {@code module}'s jar with: the shared ones, and the sidecar's own bounds. */
    List<String> jvmFlags(String module) {
        if (!module.equals("sidecar")) {
            return jvmFlags;
        }
        List<String> all = new ArrayList<>(jvmFlags);
        all.addAll(sidecarJvmFlags);
        return all;
    }

    /**
     * The environment variables ({@code ${NAME:-...}}) that running {@code command} reads: in its
     * case branch and in the shell functions that branch calls, directly or not. Those of other
     * subcommands (e.g. {@code dev}'s) do not count.
     */
    Set<String> env(String command) {
        Map<String, String> functions = new HashMap<>();
        Matcher f = Pattern.compile("(?ms)^([a-z_][a-z0-9_]*)\\(\\) \\{\\n(.*?)^}").matcher(script);
        while (f.find()) {
            functions.put(f.group(1), f.group(2));
        }
        Set<String> env = new LinkedHashSet<>();
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> bodies = new ArrayDeque<>();
        branch(command).ifPresent(bodies::add);
        while (!bodies.isEmpty()) {
            String body = bodies.poll();
            Matcher e = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):-").matcher(body);
            while (e.find()) {
                env.add(e.group(1));
            }
            for (Map.Entry<String, String> fn : functions.entrySet()) {
                // A call is the name as a shell word: not inside a path such as src/main.
                if (Pattern.compile("(?m)(?:^|[\\s;(|&])" + fn.getKey() + "(?=$|[\\s;)|&])").matcher(body).find()
                        && seen.add(fn.getKey())) {
                    bodies.add(fn.getValue());
                }
            }
        }
        return env;
    }

    private Optional<String> branch(String command) {
        Matcher branch = Pattern.compile("\\n\\s+" + Pattern.quote(command) + "\\)\\n(.*?);;", Pattern.DOTALL)
                .matcher(script);
        return branch.find() ? Optional.of(branch.group(1)) : Optional.empty();
    }

    /**
     * The component a subcommand runs: its case branch must exec {@code java ... -jar "$VAR" "$@"}
     * (flags passed through unchanged) with VAR set to a jar under that component's module.
     */
    Optional<Component> componentOf(String command) {
        return jarOf(command).flatMap(jar -> Component.ofModule(jar.substring(0, jar.indexOf('/'))));
    }

    /** The jar (path from the repository root) that {@code command}'s case branch runs with the caller's flags. */
    Optional<String> jarOf(String command) {
        Optional<String> branch = branch(command);
        if (branch.isEmpty()) {
            return Optional.empty();
        }
        Matcher jar = Pattern.compile("-jar \"\\$([A-Z_]+)\" \"\\$@\"").matcher(branch.get());
        if (!jar.find()) {
            return Optional.empty();
        }
        Matcher path = Pattern.compile("(?m)^" + jar.group(1) + "=\"\\$ROOT/([^\"]+)\"").matcher(script);
        if (!path.find()) {
            return Optional.empty();
        }
        return Optional.of(path.group(1)).filter(p -> p.contains("/"));
    }
}
