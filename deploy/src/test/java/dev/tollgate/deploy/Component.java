package dev.tollgate.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A program Tollgate ships (control plane, sidecar) and the facts about it that deployment files
 * must agree with, each read from the repository: flags and environment from {@code Main}'s help,
 * jar name from the module's POM, routes from its sources.
 */
enum Component {
    CONTROL_PLANE("control-plane", "dev/tollgate/controlplane", "admin-port",
            Set.of("TOLLGATE_MASTER_KEY", "TOLLGATE_SIDECAR_TOKEN", "TOLLGATE_DB_URL")),
    SIDECAR("sidecar", "dev/tollgate/sidecar", "port", Set.of("TOLLGATE_SIDECAR_TOKEN"));

    /** Environment variables read by the JVM itself, which any container may set. */
    static final Set<String> JVM_ENV = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");

    /** Folder of the Maven module, also the launcher subcommand and the image name. */
    final String module;
    private final String packagePath;
    /** The flag that selects the HTTP port serving the health routes. */
    final String httpPortFlag;
    /**
     * What every production deployment must set: secrets and, for the control plane, the shared
     * PostgreSQL that replicas need. Checked against the help text's Environment section too.
     */
    final Set<String> requiredEnv;

    Component(String module, String packagePath, String httpPortFlag, Set<String> requiredEnv) {
        this.module = module;
        this.packagePath = packagePath;
        this.httpPortFlag = httpPortFlag;
        this.requiredEnv = requiredEnv;
    }

    String mainSource() {
        return module + "/src/main/java/" + packagePath + "/Main.java";
    }

    Cli cli(Repo repo) {
        return Cli.parse(module, repo.read(mainSource()), "HELP");
    }

    /** The jar's file name without {@code .jar}: the module POM's {@code <finalName>}. */
    String finalName(Repo repo) {
        Matcher m = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(repo.read(module + "/pom.xml"));
        if (!m.find()) {
            throw new IllegalStateException(module + "/pom.xml has no <finalName>");
        }
        return m.group(1).strip();
    }

    /** The image every manifest uses: {@code tollgate/<module>:<project version>}. */
    String image(Repo repo) {
        return "tollgate/" + module + ":" + projectVersion(repo);
    }

    String dockerfile() {
        return "deploy/docker/" + module + ".Dockerfile";
    }

    /** The Tollgate component an image reference is of, by its repository name {@code .../tollgate/<module>}. */
    static Optional<Component> ofImage(String image) {
        String name = image.contains(":") ? image.substring(0, image.lastIndexOf(':')) : image;
        for (Component c : values()) {
            if (name.equals("tollgate/" + c.module) || name.endsWith("/tollgate/" + c.module)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    static Optional<Component> ofModule(String module) {
        return Stream.of(values()).filter(c -> c.module.equals(module)).findFirst();
    }

    /** Whether {@code path} (e.g. /health/readiness) is a string literal in this module's main sources. */
    boolean servesPath(Repo repo, String path) {
        String literal = "\"" + path + "\"";
        return repo.list(module + "/src/main/java", ".java").stream().anyMatch(f -> repo.read(f).contains(literal));
    }

    /** Modules this one depends on ({@code tollgate-X} artifacts in its POM), which its image build needs. */
    List<String> moduleDependencies(Repo repo) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<artifactId>tollgate-([a-z-]+)</artifactId>").matcher(repo.read(module + "/pom.xml"));
        while (m.find()) {
            String dep = m.group(1);
            if (!dep.equals("parent") && !dep.equals(module) && repo.isDirectory(dep)) {
                out.add(dep);
            }
        }
        return out;
    }

    static String projectVersion(Repo repo) {
        Matcher m = Pattern.compile("<artifactId>tollgate-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(repo.read("pom.xml"));
        if (!m.find()) {
            throw new IllegalStateException("pom.xml: no <version> after <artifactId>tollgate-parent</artifactId>");
        }
        return m.group(1).strip();
    }

    /** The Java release the build targets ({@code maven.compiler.release}): images must run at least this. */
    static int javaRelease(Repo repo) {
        Matcher m = Pattern.compile("<maven.compiler.release>(\\d+)</maven.compiler.release>").matcher(repo.read("pom.xml"));
        if (!m.find()) {
            throw new IllegalStateException("pom.xml: no <maven.compiler.release>");
        }
        return Integer.parseInt(m.group(1));
    }

    /** The {@code <module>} folders of the root POM. */
    static List<String> reactorModules(Repo repo) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(repo.read("pom.xml"));
        while (m.find()) {
            out.add(m.group(1).strip());
        }
        return out;
    }
}
