package dev.tollgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether every deployment file gives a component long enough to stop gracefully after SIGTERM
 * before it is killed: its drain bound as the code has it (the {@code --drain-timeout} default in
 * its --help, plus the sidecar's cut grace and usage flush), plus any preStop sleep, plus a margin
 * for the JVM to exit.
 */
final class ShutdownGrace {

    static final int MARGIN_SECONDS = 3;

    private ShutdownGrace() {
    }

    /** Seconds the component may take from SIGTERM to exit, by the code's defaults. */
    static int stopSeconds(Repo repo, Component c) {
        String drain = c.cli(repo).flags().get("drain-timeout").defaultValue()
                .orElseThrow(() -> new IllegalArgumentException(c.module + " --drain-timeout has no default in --help"));
        int seconds = Integer.parseInt(drain);
        if (c == Component.SIDECAR) {
            String stop = repo.read("sidecar/src/main/java/dev/tollgate/sidecar/RunningSidecar.java");
            seconds += constantSeconds(stop, "CUT_GRACE") + constantSeconds(stop, "FLUSH");
        }
        return seconds + MARGIN_SECONDS;
    }

    private static int constantSeconds(String source, String name) {
        Matcher m = Pattern.compile(name + "\\s*=\\s*Duration\\.ofSeconds\\((\\d+)\\)").matcher(source);
        if (!m.find()) {
            throw new IllegalArgumentException("RunningSidecar has no " + name + " = Duration.ofSeconds(N)");
        }
        return Integer.parseInt(m.group(1));
    }

    /** "35s", "1m", "1m30s", "35" (compose durations; systemd accepts the same for these). */
    static int seconds(String text) {
        Matcher m = Pattern.compile("(?:(\\d+)\\s*m(?:in)?)?\\s*(?:(\\d+)\\s*s?)?").matcher(text.strip());
        if (!m.matches() || m.group(1) == null && m.group(2) == null) {
            throw new IllegalArgumentException("cannot read the duration '" + text + "'");
        }
        return (m.group(1) == null ? 0 : Integer.parseInt(m.group(1)) * 60)
                + (m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
    }

    static List<String> compose(Repo repo, String file) {
        List<String> out = new ArrayList<>();
        repo.yamlDocument(file).path("services").properties().forEach(service -> {
            Optional<Component> c = Component.ofImage(service.getValue().path("image").asText(""));
            if (c.isEmpty()) {
                return;
            }
            int needed = stopSeconds(repo, c.get());
            JsonNode grace = service.getValue().path("stop_grace_period");
            // Compose's default is 10 s.
            int given = grace.isMissingNode() ? 10 : seconds(grace.asText());
            if (given < needed) {
                out.add(file + " service " + service.getKey() + ": stop_grace_period " + given + " s < " + needed
                        + " s that " + c.get().module + " may take to stop gracefully");
            }
        });
        return out;
    }

    static List<String> kubernetes(Repo repo) {
        List<String> out = new ArrayList<>();
        for (String file : repo.list("deploy/kubernetes", ".yaml")) {
            for (JsonNode doc : repo.yaml(file)) {
                JsonNode pod = doc.path("spec").path("template").path("spec");
                if (pod.isMissingNode()) {
                    continue;
                }
                int needed = 0;
                for (String list : List.of("containers", "initContainers")) {
                    for (JsonNode container : pod.path(list)) {
                        Optional<Component> c = Component.ofImage(container.path("image").asText(""));
                        if (c.isPresent()) {
                            needed = Math.max(needed, stopSeconds(repo, c.get()) + preStopSleep(container));
                        }
                    }
                }
                int given = pod.path("terminationGracePeriodSeconds").asInt(30);
                if (needed > 0 && given < needed) {
                    out.add(file + " " + doc.path("metadata").path("name").asText() + ": terminationGracePeriodSeconds "
                            + given + " < " + needed + " s its Tollgate containers may take to stop gracefully");
                }
            }
        }
        return out;
    }

    private static int preStopSleep(JsonNode container) {
        JsonNode command = container.path("lifecycle").path("preStop").path("exec").path("command");
        if (command.size() == 2 && command.get(0).asText().equals("sleep")) {
            return seconds(command.get(1).asText());
        }
        return 0;
    }

    static List<String> systemd(Repo repo) {
        List<String> out = new ArrayList<>();
        for (String file : repo.list(SystemdCheck.DIR, ".service")) {
            SystemdCheck.Unit unit = SystemdCheck.Unit.parse(file, repo.read(file));
            List<String> exec = unit.execStart();
            Optional<Component> c = exec.size() > 1 ? Component.ofModule(exec.get(1)) : Optional.empty();
            if (c.isEmpty()) {
                continue;
            }
            int needed = stopSeconds(repo, c.get());
            // systemd's default is 90 s.
            int given = unit.last("TimeoutStopSec").map(ShutdownGrace::seconds).orElse(90);
            if (given < needed) {
                out.add(file + ": TimeoutStopSec " + given + " s < " + needed + " s that " + c.get().module
                        + " may take to stop gracefully");
            }
        }
        return out;
    }
}
