package dev.tollgate.deploy;

import org.junit.jupiter.api.Test;

class KubernetesTest {

    private static final String DEPLOYMENT = "deploy/kubernetes/base/deployment.yaml";
    private static final String APP = "deploy/kubernetes/example-app/app-sidecar-container.yaml";
    private static final String NATIVE = "deploy/kubernetes/example-app/app-native-sidecar.yaml";
    private final Repo repo = Repo.find();

    @Test
    void manifestsAreConsistentWithTheCodeAndWithEachOther() {
        Expect.assertNone(KubernetesCheck.check(repo));
    }

    @Test
    void aKustomizationListingAMissingFileIsCaught() {
        Repo drifted = repo.withReplaced("deploy/kubernetes/base/kustomization.yaml", "  - pdb.yaml\n", "  - pdb.yaml\n  - hpa.yaml\n");
        Expect.assertCaught(KubernetesCheck.check(drifted), "resource hpa.yaml does not exist");
        Repo unlisted = repo.withReplaced("deploy/kubernetes/base/kustomization.yaml", "  - pdb.yaml\n", "");
        var problems = KubernetesCheck.check(unlisted);
        Expect.assertCaught(problems, "pdb.yaml: no kustomization.yaml lists it");
        Expect.assertCaught(problems, "no PodDisruptionBudget selects its pods");
    }

    @Test
    void aProbeOnAnotherPortOrPathIsCaught() {
        Expect.assertCaught(KubernetesCheck.check(repo.withReplaced(DEPLOYMENT, "            - name: admin\n              containerPort: 4100",
                "            - name: admin\n              containerPort: 8080")), "readinessProbe: probes port 8080", "4100");
        Expect.assertCaught(KubernetesCheck.check(repo.withReplaced(APP, "4000/health/readiness", "4000/readyz")),
                "example-app container tollgate-sidecar readinessProbe", "/readyz is not a health route");
        Expect.assertCaught(KubernetesCheck.check(repo.withReplaced(NATIVE, "4000/health/liveliness\"]\n            periodSeconds: 1\n",
                "4001/health/liveliness\"]\n            periodSeconds: 1\n")), "startupProbe: probes port 4001");
    }

    @Test
    void aMisspelledEnvironmentVariableOrSecretKeyIsCaught() {
        var problems = KubernetesCheck.check(repo.withReplaced(DEPLOYMENT, "- name: TOLLGATE_DB_URL", "- name: TOLLGATE_DATABASE_URL"));
        Expect.assertCaught(problems, "TOLLGATE_DATABASE_URL, which control-plane does not read");
        Expect.assertCaught(problems, "does not set TOLLGATE_DB_URL");
        Expect.assertCaught(KubernetesCheck.check(repo.withReplaced(DEPLOYMENT, "key: db-password", "key: database-password")),
                "has no key database-password");
    }

    @Test
    void aSidecarThatCannotReachTheControlStreamIsCaught() {
        Expect.assertCaught(KubernetesCheck.check(repo.withReplaced(APP, "tollgate-control-plane.tollgate.svc:4101",
                "tollgate-control-plane.tollgate.svc:4100")), "that Service port does not lead to a control plane's --grpc-port");
        Expect.assertCaught(KubernetesCheck.check(repo.withReplaced(APP, "        tollgate.dev/sidecar: \"true\"", "")),
                "do not pass the control plane's NetworkPolicy on 4101");
        Expect.assertCaught(KubernetesCheck.check(repo.withReplaced(NATIVE, "          restartPolicy: Always\n", "")),
                "needs restartPolicy: Always");
    }

    @Test
    void aNetworkPolicyThatOpensTheControlStreamIsCaught() {
        Repo drifted = repo.withReplaced("deploy/kubernetes/base/networkpolicy.yaml",
                "          podSelector:\n            matchLabels:\n              tollgate.dev/sidecar: \"true\"\n", "");
        Expect.assertCaught(KubernetesCheck.check(drifted), "opens the control stream (4101) to pods that are not labelled");
    }

    @Test
    void aSecretPlaceholderWithoutMarkOrASecretInTheKustomizationIsCaught() {
        String secrets = "deploy/kubernetes/base/secret.example.yaml";
        Expect.assertCaught(KubernetesCheck.check(repo.withReplaced(secrets, "\"CHANGE-ME-db-user\"", "\"tollgate\"")),
                "db-user is not marked as a placeholder");
        Repo applied = repo.withReplaced("deploy/kubernetes/base/kustomization.yaml", "  - pdb.yaml\n", "  - pdb.yaml\n  - secret.example.yaml\n");
        Expect.assertCaught(KubernetesCheck.check(applied), "a Secret in a kustomization would be applied");
    }
}
