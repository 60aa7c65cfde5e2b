package dev.tollgate.bench.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The harness runs the sidecar with the launcher's flags, so its figures are those of {@code ./tollgate sidecar}. */
class LauncherFlagsTest {

    private static String script() throws IOException {
        return Files.readString(Path.of("..", "tollgate")); // tests run in the module's folder
    }

    private static List<String> launcherSidecarFlags() throws IOException {
        Matcher m = Pattern.compile("SIDECAR_JAVA_OPTS=\\(([^)]*)\\)").matcher(script());
        assertTrue(m.find(), "the launcher defines SIDECAR_JAVA_OPTS");
        return List.of(m.group(1).strip().split("\\s+"));
    }

    @Test
    void onJdk21TheHarnessUsesExactlyTheLaunchersSidecarFlags() throws IOException {
        assertEquals(launcherSidecarFlags(), Launcher.sidecarFlags(21));
    }

    @Test
    void fromJdk25BothAddCompactObjectHeaders() throws IOException {
        List<String> expected = new ArrayList<>(launcherSidecarFlags());
        expected.add("-XX:+UseCompactObjectHeaders");
        assertEquals(expected, Launcher.sidecarFlags(25));
        assertTrue(Pattern.compile("java_major \"\\$home\"\\)\" -ge 25 \\].*\\n\\s*SIDECAR_JAVA_OPTS\\+=\\(-XX:\\+UseCompactObjectHeaders\\)")
                .matcher(script()).find(), "the launcher adds the flag for JDK 25 and later");
    }
}
