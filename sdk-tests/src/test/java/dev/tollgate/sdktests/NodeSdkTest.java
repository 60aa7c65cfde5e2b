package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official OpenAI and Anthropic Node SDKs ({@code sdk-tests/node}, versions locked in its
 * package-lock.json) against a real control plane and sidecar. Node.js runs once for the class; each
 * of its test cases becomes one JUnit test here, so every SDK case shows in the report by name.
 * Node.js 20+ and npm are required: without them the class fails saying so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedSdkStack.class)
class NodeSdkTest {

    private NodeProject.Run run;

    @BeforeAll
    void runNodeTests(SdkStack stack) throws Exception {
        NodeProject.requireNode();
        NodeProject.install(Duration.ofMinutes(5));
        run = NodeProject.test(stack.nodeEnvironment(), Duration.ofMinutes(5));
    }

    @TestFactory
    Stream<DynamicTest> everyNodeSdkCase() {
        return run.results().stream().map(r -> DynamicTest.dynamicTest(r.displayName(), () -> {
            if (!r.status().equals("pass")) {
                fail(r.status() + ": " + r.error() + "\n(full TAP output: " + run.tap() + ")");
            }
        }));
    }

    @Test
    void everyTestFileReportedCasesAndNodeExitedZero() throws Exception {
        Set<String> files;
        try (Stream<java.nio.file.Path> list = Files.list(NodeProject.DIR.resolve("test"))) {
            files = list.map(p -> "test/" + p.getFileName()).filter(n -> n.endsWith(".test.mjs"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> reported = run.results().stream().map(NodeProject.Result::file)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(files, reported, "test files that reported no case (did one fail to load?)");
        List<String> notRun = run.results().stream().filter(r -> r.status().equals("skip") || r.status().equals("todo"))
                .map(NodeProject.Result::displayName).toList();
        assertTrue(notRun.isEmpty(), "skipped or todo cases: " + notRun);
        long failed = run.results().stream().filter(r -> !r.status().equals("pass")).count();
        assertEquals(failed == 0 ? 0 : 1, run.exitCode(),
                "node --test exit code disagrees with its reported results; see " + run.tap());
        assertTrue(run.results().size() >= 30, "only " + run.results().size() + " Node SDK cases ran");
    }
}
