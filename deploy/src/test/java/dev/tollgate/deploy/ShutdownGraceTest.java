package dev.tollgate.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every deployment file waits long enough after SIGTERM for a graceful stop, by the code's own bounds. */
class ShutdownGraceTest {

    private final Repo repo = Repo.find();

    @Test
    void everyGracePeriodCoversTheDrainBoundOfTheCode() {
        List<String> problems = new ArrayList<>(ShutdownGrace.kubernetes(repo));
        problems.addAll(ShutdownGrace.systemd(repo));
        for (String file : repo.list("deploy/compose", ".yaml")) {
            if (repo.yamlDocument(file).has("services")) {
                problems.addAll(ShutdownGrace.compose(repo, file));
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void aLongerDrainDefaultIsReportedInEveryKindOfFile() {
        Repo drifted = repo.withReplaced(Component.SIDECAR.mainSource(),
                "streams may take  [20]", "streams may take  [60]");
        Expect.assertCaught(ShutdownGrace.kubernetes(drifted), "terminationGracePeriodSeconds");
        Expect.assertCaught(ShutdownGrace.systemd(drifted), "tollgate-sidecar.service: TimeoutStopSec");
        Expect.assertCaught(ShutdownGrace.compose(drifted, "deploy/compose/compose.yaml"), "service sidecar");
    }

    @Test
    void durationsReadAsComposeAndSystemdWriteThem() {
        assertEquals(35, ShutdownGrace.seconds("35s"));
        assertEquals(35, ShutdownGrace.seconds("35"));
        assertEquals(90, ShutdownGrace.seconds("1min 30s"));
        assertEquals(60, ShutdownGrace.seconds("1m"));
    }
}
