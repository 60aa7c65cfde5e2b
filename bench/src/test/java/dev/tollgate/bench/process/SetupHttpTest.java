package dev.tollgate.bench.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SetupHttpTest {

    @Test
    void freePortsAskedForInARowAreAllDifferent() throws Exception {
        // The kernel offers a just-closed ephemeral port again readily; a run asks for several before
        // binding any (the control plane binds its two only when it starts).
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            ports.add(SetupHttp.freePort());
        }
        assertEquals(200, ports.size());
    }
}
