package dev.tollgate.deploy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class DockerfilesTest {

    private final Repo repo = Repo.find();

    @ParameterizedTest
    @EnumSource(Component.class)
    void dockerfileBuildsAndRunsTheComponentAsTheCodeDefines(Component c) {
        Expect.assertNone(DockerfileCheck.check(repo, c));
    }

    @Test
    void aWrongExposedPortIsCaught() {
        Repo drifted = repo.withReplaced("deploy/docker/control-plane.Dockerfile", "EXPOSE 4100 4101", "EXPOSE 4100 4102");
        Expect.assertCaught(DockerfileCheck.check(drifted, Component.CONTROL_PLANE), "EXPOSE [4100, 4102]", "[4100, 4101]");
    }

    @Test
    void aRenamedJarIsCaught() {
        Repo drifted = repo.withReplaced("sidecar/pom.xml", "<finalName>tollgate-sidecar</finalName>",
                "<finalName>sidecar</finalName>");
        Expect.assertCaught(DockerfileCheck.check(drifted, Component.SIDECAR), "does not COPY", "sidecar.jar");
    }

    @Test
    void anOldJavaOrARootUserOrAMissingModulePomIsCaught() {
        String file = "deploy/docker/sidecar.Dockerfile";
        Expect.assertCaught(DockerfileCheck.check(repo.withReplaced(file, "FROM eclipse-temurin:21-jre-noble",
                "FROM eclipse-temurin:17-jre-noble"), Component.SIDECAR), "has Java 17");
        Expect.assertCaught(DockerfileCheck.check(repo.withReplaced(file, "USER 10001:10001", "USER root"),
                Component.SIDECAR), "runs as root");
        Expect.assertCaught(DockerfileCheck.check(repo.withReplaced(file, "COPY sdk-tests/pom.xml sdk-tests/\n", ""),
                Component.SIDECAR), "does not COPY sdk-tests/pom.xml");
    }

    @Test
    void aHealthCheckOnAnUnservedRouteOrPortIsCaught() {
        String file = "deploy/docker/control-plane.Dockerfile";
        Expect.assertCaught(DockerfileCheck.check(repo.withReplaced(file, "4100/health/readiness", "4100/healthz"),
                Component.CONTROL_PLANE), "/healthz is not a health route");
        Expect.assertCaught(DockerfileCheck.check(repo.withReplaced(file, "127.0.0.1:4100/", "127.0.0.1:4000/"),
                Component.CONTROL_PLANE), "probes port 4000");
    }

    @Test
    void aFlagTheComponentDoesNotKnowIsCaught() {
        Repo drifted = repo.withReplaced("deploy/docker/sidecar.Dockerfile", "CMD [\"--data-dir\"", "CMD [\"--spool-dir\"");
        Expect.assertCaught(DockerfileCheck.check(drifted, Component.SIDECAR), "unknown flag --spool-dir");
    }
}
