package dev.tollgate.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Checks the systemd units under {@code deploy/systemd}: what they run, with which environment, how hardened. */
final class SystemdCheck {

    static final String DIR = "deploy/systemd";

    /** Directives every unit must carry (value compared case-insensitively). */
    private static final Map<String, Set<String>> REQUIRED = Map.of(
            "NoNewPrivileges", Set.of("yes", "true"),
            "ProtectSystem", Set.of("strict", "full"),
            "ProtectHome", Set.of("yes", "true", "read-only"),
            "PrivateTmp", Set.of("yes", "true"),
            "Restart", Set.of("on-failure"));

    private SystemdCheck() {
    }

    /** A unit file: directive name to its values in order (systemd allows a directive several times). */
    record Unit(String file, Map<String, List<String>> directives) {
        static Unit parse(String file, String text) {
            Map<String, List<String>> d = new LinkedHashMap<>();
            StringBuilder line = new StringBuilder();
            for (String raw : text.split("\n")) {
                String t = raw.strip();
                if (line.isEmpty() && (t.isEmpty() || t.startsWith("#") || t.startsWith(";") || t.startsWith("["))) {
                    continue;
                }
                if (t.endsWith("\\")) {
                    line.append(t, 0, t.length() - 1).append(' ');
                    continue;
                }
                line.append(t);
                int eq = line.indexOf("=");
                if (eq > 0) {
                    d.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>()).add(line.substring(eq + 1).strip());
                }
                line.setLength(0);
            }
            return new Unit(file, d);
        }

        Optional<String> last(String name) {
            List<String> v = directives.getOrDefault(name, List.of());
            return v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
        }

        List<String> execStart() {
            return List.of(last("ExecStart").orElse("").split("\\s+"));
        }
    }

    static List<String> check(Repo repo) {
        List<String> out = new ArrayList<>();
        Launcher launcher = Launcher.parse(repo);
        List<String> units = repo.list(DIR, ".service");
        if (units.isEmpty()) {
            out.add(DIR + ": no .service units");
        }
        Map<Component, List<String>> argsOf = new LinkedHashMap<>();
        for (String file : units) {
            Unit unit = Unit.parse(file, repo.read(file));
            Optional<Component> c = execStart(repo, launcher, unit, out);
            c.ifPresent(component -> {
                argsOf.put(component, unit.execStart().subList(2, unit.execStart().size()));
                out.addAll(environment(repo, launcher, unit, component));
                out.addAll(stateDirectory(repo, unit, component));
            });
            REQUIRED.forEach((name, allowed) -> {
                if (unit.last(name).map(String::toLowerCase).filter(allowed::contains).isEmpty()) {
                    out.add(file + ": needs " + name + "=" + String.join("|", allowed.stream().sorted().toList()));
                }
            });
            boolean dynamic = unit.last("DynamicUser").filter(v -> v.equals("yes") || v.equals("true")).isPresent();
            String user = unit.last("User").orElse("root");
            if (!dynamic && (user.equals("root") || user.equals("0"))) {
                out.add(file + ": runs as root (DynamicUser=yes or a dedicated User=)");
            }
            if (unit.last("MemoryDenyWriteExecute").filter(v -> v.equals("yes") || v.equals("true")).isPresent()) {
                out.add(file + ": MemoryDenyWriteExecute=yes stops the JVM's JIT compiler");
            }
        }
        for (Component c : Component.values()) {
            if (!argsOf.containsKey(c)) {
                out.add(DIR + ": no unit runs the " + c.module);
            }
        }
        List<String> cp = argsOf.get(Component.CONTROL_PLANE);
        List<String> sc = argsOf.get(Component.SIDECAR);
        if (cp != null && sc != null) {
            int grpc = Component.CONTROL_PLANE.cli(repo).port(cp, "grpc-port");
            String target = Component.SIDECAR.cli(repo).value(sc, "control-plane").orElse("");
            if (!target.endsWith(":" + grpc)) {
                out.add(DIR + ": the sidecar unit's --control-plane " + target + " does not use the control plane's --grpc-port " + grpc);
            }
        }
        return out;
    }

    /** ExecStart is {@code <dir>/tollgate <subcommand> <flags>}: a launcher subcommand that runs a component's jar, with its flags. */
    private static Optional<Component> execStart(Repo repo, Launcher launcher, Unit unit, List<String> out) {
        List<String> words = unit.execStart();
        if (words.size() < 2 || !words.get(0).endsWith("/" + launcher.file()) || !words.get(0).startsWith("/")) {
            out.add(unit.file() + ": ExecStart should run the launcher by absolute path: /.../" + launcher.file() + " <subcommand> ...");
            return Optional.empty();
        }
        String command = words.get(1);
        if (!launcher.commands().contains(command)) {
            out.add(unit.file() + ": ExecStart runs '" + launcher.file() + " " + command + "'; the launcher's commands are "
                    + launcher.commands());
            return Optional.empty();
        }
        Optional<Component> c = launcher.componentOf(command);
        if (c.isEmpty()) {
            out.add(unit.file() + ": '" + launcher.file() + " " + command + "' does not run a component jar with the given flags");
            return Optional.empty();
        }
        String jar = c.get().module + "/target/" + c.get().finalName(repo) + ".jar";
        if (!launcher.jarOf(command).orElse("").equals(jar)) {
            out.add(unit.file() + ": the launcher's " + command + " runs " + launcher.jarOf(command).orElse("?")
                    + ", not the module's jar " + jar);
        }
        out.addAll(c.get().cli(repo).problems(words.subList(2, words.size()), unit.file() + " ExecStart"));
        return c;
    }

    /** EnvironmentFile points at /etc/.../NAME.env, shipped as deploy/systemd/NAME.env.example with known names only. */
    private static List<String> environment(Repo repo, Launcher launcher, Unit unit, Component c) {
        Optional<String> envFile = unit.last("EnvironmentFile").map(f -> f.startsWith("-") ? f.substring(1) : f);
        if (envFile.isEmpty()) {
            return List.of(unit.file() + ": no EnvironmentFile (secrets belong there, not in the unit)");
        }
        String example = DIR + "/" + envFile.get().substring(envFile.get().lastIndexOf('/') + 1) + ".example";
        if (!repo.exists(example)) {
            return List.of(unit.file() + ": EnvironmentFile " + envFile.get() + " has no example " + example);
        }
        List<String> out = new ArrayList<>();
        Cli cli = c.cli(repo);
        List<String> names = new ArrayList<>();
        for (String line : repo.read(example).split("\n")) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#") && t.contains("=")) {
                names.add(t.substring(0, t.indexOf('=')).strip());
            }
        }
        for (String name : names) {
            if (!cli.env().contains(name) && !launcher.env(c.module).contains(name) && !Component.JVM_ENV.contains(name)) {
                out.add(example + ": " + name + " is read neither by the " + c.module + " (" + cli.env()
                        + ") nor by the launcher (" + launcher.env(c.module) + ")");
            }
        }
        for (String name : c.requiredEnv) {
            if (!names.contains(name)) {
                out.add(example + ": does not set " + name);
            }
        }
        unit.directives().getOrDefault("Environment", List.of()).forEach(e -> {
            String name = e.replace("\"", "").split("=")[0];
            if (!cli.env().contains(name) && !launcher.env(c.module).contains(name) && !Component.JVM_ENV.contains(name)) {
                out.add(unit.file() + ": Environment=" + name + " is read neither by the " + c.module + " nor by the launcher");
            }
        });
        return out;
    }

    /** With ProtectSystem=strict only the state directory is writable: --data-dir must be given and lie there. */
    private static List<String> stateDirectory(Repo repo, Unit unit, Component c) {
        Cli cli = c.cli(repo);
        if (!cli.flags().containsKey("data-dir")) {
            return List.of();
        }
        List<String> args = unit.execStart().subList(2, unit.execStart().size());
        Optional<String> state = unit.last("StateDirectory").map(s -> "/var/lib/" + s.split("\\s+")[0]);
        if (!cli.given(args, "data-dir")) {
            return List.of(unit.file() + ": no --data-dir: the default " + cli.value(args, "data-dir").orElse("")
                    + " is relative, and read-only under ProtectSystem");
        }
        String dir = cli.value(args, "data-dir").orElse("");
        if (state.isEmpty() || !(dir.equals(state.get()) || dir.startsWith(state.get() + "/"))) {
            return List.of(unit.file() + ": --data-dir " + dir + " is not in the unit's StateDirectory ("
                    + state.orElse("none") + "), the only writable place");
        }
        return List.of();
    }
}
