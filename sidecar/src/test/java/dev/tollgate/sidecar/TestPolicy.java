package dev.tollgate.sidecar;

import dev.tollgate.proto.control.v1.Alias;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.PolicySnapshot;
import dev.tollgate.proto.control.v1.VirtualKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Builds policy snapshots as the control plane compiles them: keys by SHA-256 hash, deployments per alias. */
final class TestPolicy {

    private TestPolicy() {
    }

    static PolicySnapshot snapshot(long version, List<Alias> aliases, List<VirtualKey> keys) {
        return PolicySnapshot.newBuilder().setVersion(version).addAllAliases(aliases).addAllKeys(keys).build();
    }

    static Alias alias(String name, Deployment deployment) {
        return Alias.newBuilder().setName(name)
                .addDeployments(deployment.toBuilder().setId(name + "#0"))
                .build();
    }

    static Deployment openAi(String model, String apiBase, String apiKey) {
        return Deployment.newBuilder().setProvider("openai").setModel(model).setApiBase(apiBase).setApiKey(apiKey).build();
    }

    static Deployment mock(String model, Map<String, String> params) {
        return Deployment.newBuilder().setProvider("mock").setModel(model).putAllParams(params).build();
    }

    /** A virtual key; {@code models} empty lets it use every alias. */
    static VirtualKey key(String keyText, String keyAlias, String... models) {
        return VirtualKey.newBuilder()
                .setKeyHash(sha256Hex(keyText))
                .setKeyId("key-" + keyAlias)
                .setKeyAlias(keyAlias)
                .addAllModels(List.of(models))
                .build();
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A loopback port nothing listens on (it was free a moment ago). */
    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
