package dev.tollgate.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class YamlFilesTest {

    private final Repo repo = Repo.find();

    @Test
    void everyYamlFileUnderDeployParsesAndHoldsADocument() {
        List<String> files = repo.list("deploy", ".yaml", ".yml");
        assertTrue(files.size() >= 10, "expected the deploy/ YAML files, found " + files);
        List<String> problems = new ArrayList<>();
        for (String f : files) {
            try {
                if (repo.yaml(f).isEmpty()) {
                    problems.add(f + ": no YAML document");
                }
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        Expect.assertNone(problems);
    }

    @Test
    void multiDocumentFilesYieldEveryDocument() {
        assertTrue(repo.yaml("deploy/kubernetes/base/secret.example.yaml").size() >= 2);
        assertTrue(Repo.yamlText("a: 1\n---\n# only a comment\n---\nb: 2\n", "t").size() == 2);
    }

    @Test
    void aDuplicateKeyOrBrokenIndentationIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Repo.yamlText("a: 1\na: 2\n", "t"));
        assertThrows(IllegalArgumentException.class, () -> Repo.yamlText("a:\n  b: 1\n c: 2\n", "t"));
        assertFalse(Repo.yamlText("a: {b: 1}\n", "t").isEmpty());
    }
}
