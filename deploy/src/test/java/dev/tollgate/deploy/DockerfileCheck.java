package dev.tollgate.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Checks {@code deploy/docker/<module>.Dockerfile} against the module it packages. */
final class DockerfileCheck {

    private static final Pattern JAVA_MAJOR = Pattern.compile("temurin[-:](\\d+)");
    static final Pattern LOCAL_URL = Pattern.compile("http://(?:127\\.0\\.0\\.1|localhost):(\\d+)(/[^\\s\"']*)");

    private DockerfileCheck() {
    }

    static List<String> check(Repo repo, Component c) {
        String where = c.dockerfile();
        List<String> out = new ArrayList<>();
        if (!repo.exists(where)) {
            return List.of(where + ": missing");
        }
        Dockerfile file = Dockerfile.parse(repo.read(where));
        if (file.stages().size() < 2) {
            return List.of(where + ": expected a build stage and a runtime stage, found " + file.stages().size() + " stage(s)");
        }
        int release = Component.javaRelease(repo);
        Dockerfile.Stage build = file.stages().get(0);
        Dockerfile.Stage runtime = file.runtime();
        String module = c.module;
        String jar = c.finalName(repo) + ".jar";

        // Build stage: Maven on a JDK new enough, the whole reactor's POMs, the sources it compiles.
        out.addAll(javaAtLeast(build.image(), release, where + " build stage"));
        if (!build.image().contains("maven")) {
            out.add(where + ": build stage image " + build.image() + " has no Maven");
        }
        if (build.name().isEmpty()) {
            out.add(where + ": the build stage needs a name (FROM ... AS build) for COPY --from");
        }
        List<String> copies = build.all("COPY");
        List<String> needed = new ArrayList<>();
        needed.add("pom.xml");
        Component.reactorModules(repo).forEach(m -> needed.add(m + "/pom.xml"));
        c.moduleDependencies(repo).forEach(m -> needed.add(m + "/src"));
        needed.add(module + "/src");
        for (String source : needed) {
            if (copies.stream().noneMatch(cp -> cp.split("\\s+")[0].equals(source))) {
                out.add(where + ": the build stage does not COPY " + source
                        + (source.endsWith("pom.xml") ? " (Maven reads every module of the reactor)" : ""));
            }
        }
        if (build.all("RUN").stream().noneMatch(r -> r.contains("mvn") && r.contains("-pl " + module))) {
            out.add(where + ": no RUN mvn ... -pl " + module + " in the build stage");
        }

        // Runtime stage: a JRE, not root, the jar and its lib/ copied from the build stage.
        out.addAll(javaAtLeast(runtime.image(), release, where + " runtime stage"));
        if (!runtime.image().contains("jre")) {
            out.add(where + ": runtime image " + runtime.image() + " is not a JRE image");
        }
        String user = runtime.last("USER").orElse("root").split(":")[0];
        if (user.equals("root") || user.equals("0")) {
            out.add(where + ": the runtime stage runs as root (add USER with a numeric non-root uid)");
        }
        String from = "--from=" + build.name().orElse("?");
        List<String> runtimeCopies = runtime.all("COPY");
        Optional<String> jarDest = copyDestination(runtimeCopies, from, "/src/" + module + "/target/" + jar);
        if (jarDest.isEmpty()) {
            out.add(where + ": the runtime stage does not COPY " + from + " " + module + "/target/" + jar);
        }
        if (copyDestination(runtimeCopies, from, "/src/" + module + "/target/lib/").isEmpty()
                && copyDestination(runtimeCopies, from, "/src/" + module + "/target/lib").isEmpty()) {
            out.add(where + ": the runtime stage does not COPY " + from + " " + module + "/target/lib/ (the jar's class path)");
        }

        // ENTRYPOINT runs that jar with the launcher's JVM flags; CMD holds only known flags.
        Optional<List<String>> entry = runtime.last("ENTRYPOINT").flatMap(Dockerfile::execForm);
        if (entry.isEmpty()) {
            out.add(where + ": ENTRYPOINT must be in exec form [\"java\", ..., \"-jar\", ...] (signals reach the JVM)");
        } else {
            List<String> words = entry.get();
            int at = words.indexOf("-jar");
            String runs = at >= 0 && at + 1 < words.size() ? words.get(at + 1) : "";
            if (!words.get(0).equals("java") || !runs.endsWith("/" + jar)) {
                out.add(where + ": ENTRYPOINT " + words + " does not run java -jar .../" + jar);
            } else if (jarDest.isPresent() && !jarDest.get().equals(runs) && !(jarDest.get() + jar).equals(runs)) {
                out.add(where + ": ENTRYPOINT runs " + runs + " but the jar is copied to " + jarDest.get());
            }
            for (String flag : Launcher.parse(repo).jvmFlags(module)) {
                if (!words.subList(0, Math.max(at, 0)).contains(flag)) {
                    out.add(where + ": ENTRYPOINT lacks the launcher's JVM flag " + flag);
                }
            }
        }
        Cli cli = c.cli(repo);
        runtime.last("CMD").ifPresent(cmd -> Dockerfile.execForm(cmd).ifPresentOrElse(
                args -> out.addAll(cli.problems(args, where + " CMD")),
                () -> out.add(where + ": CMD must be in exec form (a JSON array of flags)")));

        // EXPOSE the component's default ports; HEALTHCHECK its readiness route on the HTTP port.
        Set<Integer> exposed = new TreeSet<>();
        runtime.all("EXPOSE").forEach(e -> {
            for (String p : e.split("\\s+")) {
                exposed.add(Integer.parseInt(p.replaceAll("/.*", "")));
            }
        });
        Set<Integer> defaults = cli.portFlags().stream().map(f -> cli.port(List.of(), f))
                .collect(Collectors.toCollection(TreeSet::new));
        if (!exposed.equals(defaults)) {
            out.add(where + ": EXPOSE " + exposed + " but " + module + "'s ports default to " + defaults
                    + " (" + cli.portFlags() + " in its --help)");
        }
        Optional<String> health = runtime.last("HEALTHCHECK");
        if (health.isEmpty()) {
            out.add(where + ": no HEALTHCHECK");
        } else {
            out.addAll(checkProbeUrl(repo, c, health.get(), cli.port(List.of(), c.httpPortFlag), where + " HEALTHCHECK"));
            if (!health.get().contains("/health/readiness")) {
                out.add(where + ": HEALTHCHECK should ask /health/readiness");
            }
            if (health.get().contains("curl") && runtime.all("RUN").stream()
                    .noneMatch(r -> r.contains("install") && r.contains("curl"))) {
                out.add(where + ": HEALTHCHECK runs curl, which the runtime stage does not install");
            }
        }
        return out;
    }

    /** A probe command's local URL: its port is {@code port}, its path a health route the component serves. */
    static List<String> checkProbeUrl(Repo repo, Component c, String command, int port, String where) {
        Matcher m = LOCAL_URL.matcher(command);
        if (!m.find()) {
            return List.of(where + ": no http://127.0.0.1:PORT/... URL in '" + command + "'");
        }
        List<String> out = new ArrayList<>();
        if (Integer.parseInt(m.group(1)) != port) {
            out.add(where + ": probes port " + m.group(1) + " but " + c.module + " serves HTTP on " + port);
        }
        out.addAll(checkHealthPath(repo, c, m.group(2), where));
        return out;
    }

    static List<String> checkHealthPath(Repo repo, Component c, String path, String where) {
        if (!path.startsWith("/health/") || !c.servesPath(repo, path)) {
            return List.of(where + ": " + path + " is not a health route of " + c.module + " (no \"" + path
                    + "\" in " + c.module + "/src/main/java)");
        }
        return List.of();
    }

    private static List<String> javaAtLeast(String image, int release, String where) {
        Matcher m = JAVA_MAJOR.matcher(image);
        if (!m.find()) {
            return List.of(where + ": cannot tell the Java version of " + image + " (expected an eclipse-temurin tag)");
        }
        int major = Integer.parseInt(m.group(1));
        return major >= release ? List.of()
                : List.of(where + ": " + image + " has Java " + major + "; the build targets release " + release);
    }

    /** The destination of {@code COPY <from> <source> <dest>}, if such a COPY exists. */
    private static Optional<String> copyDestination(List<String> copies, String from, String source) {
        for (String copy : copies) {
            String[] w = copy.split("\\s+");
            if (w.length == 3 && w[0].equals(from) && w[1].equals(source)) {
                return Optional.of(w[2]);
            }
        }
        return Optional.empty();
    }
}
