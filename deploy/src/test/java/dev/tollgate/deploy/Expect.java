package dev.tollgate.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;

/** Assertions on a check's list of problems that print every problem when they fail. */
final class Expect {

    private Expect() {
    }

    static void assertNone(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }

    /** Some problem mentions every one of {@code fragments}: the drift was caught and named. */
    static void assertCaught(List<String> problems, String... fragments) {
        for (String p : problems) {
            boolean all = true;
            for (String f : fragments) {
                all &= p.contains(f);
            }
            if (all) {
                return;
            }
        }
        fail("no problem mentions " + List.of(fragments) + "; problems were:\n  " + String.join("\n  ", problems));
    }
}
