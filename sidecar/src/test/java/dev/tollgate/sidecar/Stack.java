package dev.tollgate.sidecar;

import dev.tollgate.proto.control.v1.PolicySnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * A whole data path for one test class: a fake OpenAI upstream, a fake control plane serving the
 * snapshot built for that upstream, and a sidecar that has installed it.
 */
final class Stack implements AutoCloseable {

    final FakeOpenAi upstream;
    final FakeControlPlane controlPlane;
    final Sidecar sidecar;

    private Stack(FakeOpenAi upstream, FakeControlPlane controlPlane, Sidecar sidecar) {
        this.upstream = upstream;
        this.controlPlane = controlPlane;
        this.sidecar = sidecar;
    }

    /** {@code policy} builds the snapshot from the upstream (for its api_base); it is pushed on hello. */
    static Stack start(Path dataDir, String upstreamKey, Function<FakeOpenAi, PolicySnapshot> policy) throws Exception {
        FakeOpenAi upstream = FakeOpenAi.start(upstreamKey);
        PolicySnapshot snapshot = policy.apply(upstream);
        FakeControlPlane controlPlane = FakeControlPlane.start(0, snapshot);
        Sidecar sidecar = Sidecar.start(dataDir, controlPlane.target());
        sidecar.awaitPolicyVersion(snapshot.getVersion());
        return new Stack(upstream, controlPlane, sidecar);
    }

    @Override
    public void close() throws IOException {
        sidecar.close();
        controlPlane.close();
        upstream.close();
    }
}
