package dev.tollgate.deploy;

import org.junit.jupiter.api.Test;

class SystemdTest {

    private static final String CP = "deploy/systemd/tollgate-control-plane.service";
    private static final String SC = "deploy/systemd/tollgate-sidecar.service";
    private final Repo repo = Repo.find();

    @Test
    void unitsRunRealLauncherSubcommandsWithRealFlagsAndAreHardened() {
        Expect.assertNone(SystemdCheck.check(repo));
    }

    @Test
    void anUnknownSubcommandOrFlagIsCaught() {
        Expect.assertCaught(SystemdCheck.check(repo.withReplaced(CP, "tollgate control-plane --config", "tollgate controlplane --config")),
                "runs 'tollgate controlplane'", "the launcher's commands are");
        Expect.assertCaught(SystemdCheck.check(repo.withReplaced(SC, "--name %H", "--sidecar-name %H")), "unknown flag --sidecar-name");
    }

    @Test
    void aDataDirOutsideTheStateDirectoryOrAWrongControlPlanePortIsCaught() {
        Expect.assertCaught(SystemdCheck.check(repo.withReplaced(SC, "--data-dir /var/lib/tollgate-sidecar", "--data-dir /opt/spool")),
                "--data-dir /opt/spool is not in the unit's StateDirectory");
        Expect.assertCaught(SystemdCheck.check(repo.withReplaced(SC, ".internal:4101", ".internal:4100")),
                "does not use the control plane's --grpc-port 4101");
    }

    @Test
    void missingHardeningOrAnUnknownEnvironmentNameIsCaught() {
        Expect.assertCaught(SystemdCheck.check(repo.withReplaced(CP, "NoNewPrivileges=yes\n", "")), "needs NoNewPrivileges");
        Expect.assertCaught(SystemdCheck.check(repo.withReplaced(CP, "LimitNOFILE=65536", "MemoryDenyWriteExecute=yes\nLimitNOFILE=65536")),
                "stops the JVM's JIT");
        Expect.assertCaught(SystemdCheck.check(repo.withReplaced("deploy/systemd/sidecar.env.example",
                "TOLLGATE_SIDECAR_TOKEN=", "TOLLGATE_TOKEN=")), "TOLLGATE_TOKEN is read neither");
    }
}
