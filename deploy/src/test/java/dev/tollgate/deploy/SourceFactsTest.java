package dev.tollgate.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The facts the deployment checks read from the sources are there and trustworthy. */
class SourceFactsTest {

    private final Repo repo = Repo.find();

    @ParameterizedTest
    @EnumSource(Component.class)
    void helpListsExactlyTheFlagsMainAccepts(Component c) {
        String source = repo.read(c.mainSource());
        Matcher parse = Pattern.compile("Flags\\.parse\\(args,\\s*Set\\.of\\(([^)]*)\\),\\s*Set\\.of\\(([^)]*)\\)"
                        // the environment, where every flag may also be set as TOLLGATE_<FLAG>
                        + "(?:,\\s*System\\.getenv\\(\\))?\\)")
                .matcher(source);
        assertTrue(parse.find(), c.mainSource() + ": no Flags.parse(args, Set.of(...), Set.of(...))");
        Set<String> accepted = new HashSet<>(words(parse.group(1)));
        accepted.addAll(words(parse.group(2)));
        assertEquals(accepted, c.cli(repo).flags().keySet(),
                c.mainSource() + ": HELP must list exactly the flags Flags.parse accepts");
    }

    @ParameterizedTest
    @EnumSource(Component.class)
    void requiredEnvironmentIsInTheHelp(Component c) {
        Cli cli = c.cli(repo);
        assertTrue(cli.env().containsAll(c.requiredEnv), c.module + " --help Environment lists " + cli.env()
                + "; the deployment files must set " + c.requiredEnv);
        assertTrue(cli.flags().containsKey(c.httpPortFlag), c.module + " has no --" + c.httpPortFlag);
        cli.portFlags().forEach(f -> assertTrue(cli.port(List.of(), f) > 0, c.module + " --" + f + " has no numeric default"));
    }

    @ParameterizedTest
    @EnumSource(Component.class)
    void launcherSubcommandRunsTheComponentJarWithTheGivenFlags(Component c) {
        Launcher launcher = Launcher.parse(repo);
        assertTrue(launcher.commands().contains(c.module), "./tollgate lists " + launcher.commands());
        assertEquals(c, launcher.componentOf(c.module).orElse(null));
        assertEquals(c.module + "/target/" + c.finalName(repo) + ".jar", launcher.jarOf(c.module).orElse(""));
    }

    @ParameterizedTest
    @EnumSource(Component.class)
    void healthRoutesThatProbesUseAreServed(Component c) {
        assertTrue(c.servesPath(repo, "/health/readiness"), c.module + " serves no /health/readiness");
        assertTrue(c.servesPath(repo, "/health/liveliness"), c.module + " serves no /health/liveliness");
        assertTrue(!c.servesPath(repo, "/health/no-such-route"));
    }

    @Test
    void helpParserReadsFlagsDefaultsAndEnvironment() {
        String source = """
                class Main {
                    static final String HELP = \"""
                            Usage: x [flags]

                            Flags:
                              --config FILE        the config                 [required]
                              --port N             HTTP port                  [4000]
                              --verbose            more lines
                              --host ADDR          bind [0.0.0.0 with a token, else 127.0.0.1]

                            Environment:
                              A_TOKEN    a token
                              DB_USER, DB_PASSWORD  credentials for DB_URL
                            \""";
                }
                """;
        Cli cli = Cli.parse("x", source, "HELP");
        assertEquals(Set.of("config", "port", "verbose", "host"), cli.flags().keySet());
        assertEquals(Set.of("A_TOKEN", "DB_USER", "DB_PASSWORD"), cli.env());
        assertEquals(4000, cli.port(List.of(), "port"));
        assertEquals(4001, cli.port(List.of("--port=4001"), "port"));
        assertTrue(cli.flags().get("config").required());
        assertTrue(!cli.flags().get("verbose").takesValue());
        assertEquals(List.of(), cli.problems(List.of("--config", "c.yaml", "--verbose", "--port", "1"), "t"));
        Expect.assertCaught(cli.problems(List.of("--port", "1"), "t"), "needs --config");
        Expect.assertCaught(cli.problems(List.of("--config", "c", "--prot", "1"), "t"), "unknown flag --prot");
        Expect.assertCaught(cli.problems(List.of("--config"), "t"), "--config needs a value");
    }

    private static List<String> words(String setOf) {
        return Arrays.stream(setOf.split(","))
                .map(s -> s.strip().replace("\"", ""))
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toList());
    }
}
