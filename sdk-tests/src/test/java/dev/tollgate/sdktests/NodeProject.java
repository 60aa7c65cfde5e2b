package dev.tollgate.sdktests;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Node.js project in {@code sdk-tests/node}: checks that Node.js 20+ and npm are installed (a missing
 * one is a failure with a message, never a skip), installs its locked dependencies with {@code npm ci}
 * when {@code node_modules} is missing or older than the lock file, and runs its {@code node:test}
 * files with a deadline, collecting one {@link Result} per test case from a JSON-lines reporter.
 */
final class NodeProject {

    static final Path DIR = JarProcess.ROOT.resolve("sdk-tests/node");
    static final int MIN_NODE_MAJOR = 20;
    private static final Path RESULTS = JarProcess.ROOT.resolve("sdk-tests/target/node-sdk-results.jsonl");
    private static final Path TAP = JarProcess.LOGS.resolve("node-sdk.tap");
    private static final Path NPM_LOG = JarProcess.LOGS.resolve("npm-ci.log");

    /** One node:test case as the reporter saw it; {@code error} is null unless it failed. */
    record Result(String file, String name, String status, String error) {
        String displayName() {
            return file + ": " + name;
        }
    }

    /** How the run ended: the exit code and every test case reported. */
    record Run(int exitCode, List<Result> results, Path tap) {
    }

    private NodeProject() {
    }

    /** Fails (AssertionError) with what to install when node or npm is missing or Node.js is older than 20. */
    static void requireNode() throws InterruptedException {
        String version;
        try {
            version = output(List.of("node", "--version"), Duration.ofSeconds(20)).strip();
        } catch (IOException e) {
            throw new AssertionError("Node.js " + MIN_NODE_MAJOR + "+ is required to run the Node SDK tests, and "
                    + "'node' is not on the PATH (" + e.getMessage() + "). Install Node.js " + MIN_NODE_MAJOR
                    + " or newer and npm (e.g. apt-get install nodejs npm; .ci/run does this).");
        }
        Matcher m = Pattern.compile("^v?(\\d+)\\.").matcher(version);
        if (!m.find() || Integer.parseInt(m.group(1)) < MIN_NODE_MAJOR) {
            throw new AssertionError("Node.js " + MIN_NODE_MAJOR + "+ is required to run the Node SDK tests; 'node "
                    + "--version' says " + version + ". Install Node.js " + MIN_NODE_MAJOR + " or newer.");
        }
        try {
            output(List.of("npm", "--version"), Duration.ofSeconds(30));
        } catch (IOException e) {
            throw new AssertionError("npm is required to install the Node SDK tests' dependencies, and it is not on the "
                    + "PATH (" + e.getMessage() + "). Install npm (e.g. apt-get install npm).");
        }
    }

    /** {@code npm ci} unless node_modules already holds what package-lock.json locks. */
    static void install(Duration deadline) throws IOException, InterruptedException {
        Path lock = DIR.resolve("package-lock.json");
        Path installed = DIR.resolve("node_modules/.package-lock.json");
        if (Files.isRegularFile(installed)
                && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0
                && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(DIR.resolve("package.json")))
                >= 0) {
            return;
        }
        Files.createDirectories(NPM_LOG.getParent());
        ProcessBuilder npm = new ProcessBuilder("npm", "ci", "--prefer-offline", "--no-audit", "--no-fund")
                .directory(DIR.toFile())
                .redirectErrorStream(true)
                .redirectOutput(NPM_LOG.toFile());
        int exit = runWithDeadline(npm, deadline, "npm ci");
        if (exit != 0) {
            throw new AssertionError("npm ci in " + DIR + " failed with exit code " + exit + ": "
                    + Files.readString(NPM_LOG));
        }
    }

    /** Runs every {@code test/*.test.mjs} with {@code env} added to this process's environment. */
    static Run test(Map<String, String> env, Duration deadline) throws IOException, InterruptedException {
        List<String> files;
        try (Stream<Path> list = Files.list(DIR.resolve("test"))) {
            files = list.map(p -> "test/" + p.getFileName()).filter(n -> n.endsWith(".test.mjs")).sorted().toList();
        }
        Files.createDirectories(RESULTS.getParent());
        Files.createDirectories(TAP.getParent());
        Files.deleteIfExists(RESULTS);
        List<String> command = new ArrayList<>(List.of("node", "--test",
                "--test-reporter=tap", "--test-reporter-destination=stdout",
                "--test-reporter=./reporter/jsonl.mjs", "--test-reporter-destination=" + RESULTS));
        command.addAll(files);
        ProcessBuilder node = new ProcessBuilder(command)
                .directory(DIR.toFile())
                .redirectErrorStream(true)
                .redirectOutput(TAP.toFile());
        // Hermetic: no SDK picks up a developer's own keys or base URLs.
        node.environment().keySet().removeIf(k -> k.startsWith("OPENAI_") || k.startsWith("ANTHROPIC_")
                || k.startsWith("TOLLGATE_"));
        node.environment().put("NO_COLOR", "1");
        node.environment().putAll(env);
        int exit = runWithDeadline(node, deadline, "node --test");
        List<Result> results = new ArrayList<>();
        if (Files.isRegularFile(RESULTS)) {
            for (String line : Files.readAllLines(RESULTS, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode r = Http.JSON.readTree(line);
                String file = r.path("file").isTextual()
                        ? DIR.relativize(Path.of(r.path("file").asText())).toString() : "node";
                results.add(new Result(file, r.path("name").asText(), r.path("status").asText(),
                        r.path("error").isTextual() ? r.path("error").asText() : null));
            }
        }
        return new Run(exit, results, TAP);
    }

    private static int runWithDeadline(ProcessBuilder builder, Duration deadline, String what)
            throws IOException, InterruptedException {
        Process process = builder.start();
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(what + " did not finish within " + deadline.toSeconds() + " s; killed");
        }
        return process.exitValue();
    }

    private static String output(List<String> command, Duration deadline) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not answer");
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + process.exitValue());
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
