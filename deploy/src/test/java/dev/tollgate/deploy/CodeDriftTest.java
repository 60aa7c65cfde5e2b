package dev.tollgate.deploy;

import org.junit.jupiter.api.Test;

/** When the code changes a default or a name, the deployment files that relied on it are reported. */
class CodeDriftTest {

    private final Repo repo = Repo.find();

    @Test
    void aNewAdminPortDefaultIsReportedInEveryManifest() {
        Repo drifted = repo.withReplaced(Component.CONTROL_PLANE.mainSource(),
                "admin HTTP API port                                   [4100]", "admin HTTP API port                                   [4200]");
        Expect.assertCaught(DockerfileCheck.check(drifted, Component.CONTROL_PLANE), "EXPOSE [4100, 4101]", "[4101, 4200]");
        Expect.assertCaught(ComposeCheck.check(drifted, "deploy/compose/compose.yaml"), "control-plane-1 healthcheck", "probes port 4100");
        Expect.assertCaught(KubernetesCheck.check(drifted), "containerPorts [4100, 4101]", "listens on [4101, 4200]");
    }

    @Test
    void aRenamedEnvironmentVariableIsReportedInEveryManifest() {
        String main = Component.SIDECAR.mainSource();
        Repo drifted = repo.withReplaced(main, "  TOLLGATE_SIDECAR_TOKEN  token presented", "  TOLLGATE_TOKEN  token presented");
        Expect.assertCaught(ComposeCheck.check(drifted, "deploy/compose/compose.yaml"), "service sidecar", "TOLLGATE_SIDECAR_TOKEN, which sidecar does not read");
        Expect.assertCaught(KubernetesCheck.check(drifted), "tollgate-sidecar", "TOLLGATE_SIDECAR_TOKEN, which sidecar does not read");
        Expect.assertCaught(SystemdCheck.check(drifted), "sidecar.env.example", "TOLLGATE_SIDECAR_TOKEN is read neither");
    }

    @Test
    void aRemovedFlagIsReportedInEveryManifest() {
        String main = Component.SIDECAR.mainSource();
        Repo drifted = repo.withReplaced(main, "  --data-dir DIR         folder for the usage spool                        [.tollgate/sidecar]\n", "");
        Expect.assertCaught(DockerfileCheck.check(drifted, Component.SIDECAR), "unknown flag --data-dir");
        Expect.assertCaught(ComposeCheck.check(drifted, "deploy/compose/compose.yaml"), "service sidecar command", "unknown flag --data-dir");
        Expect.assertCaught(KubernetesCheck.check(drifted), "unknown flag --data-dir");
        Expect.assertCaught(SystemdCheck.check(drifted), "tollgate-sidecar.service ExecStart", "unknown flag --data-dir");
    }
}
