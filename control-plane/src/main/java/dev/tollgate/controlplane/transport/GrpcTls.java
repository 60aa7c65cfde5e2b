package dev.tollgate.controlplane.transport;

import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS settings of the control stream ({@code --grpc-tls-cert}, {@code --grpc-tls-key},
 * {@code --grpc-tls-client-ca}): PEM files read once at start (no reload: replace the files and
 * restart, replicas one at a time). With a client CA every sidecar must present a certificate
 * signed by it (mutual TLS). Immutable.
 *
 * @param cert     server certificate chain (PEM)
 * @param key      its private key (PEM, unencrypted PKCS#8: {@code BEGIN PRIVATE KEY})
 * @param clientCa CA certificates that sign sidecar client certificates; present means mTLS is required
 */
public record GrpcTls(Path cert, Path key, Optional<Path> clientCa) {

    public GrpcTls {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(clientCa, "clientCa");
        readable(cert, "--grpc-tls-cert");
        readable(key, "--grpc-tls-key");
        clientCa.ifPresent(ca -> readable(ca, "--grpc-tls-client-ca"));
    }

    /**
     * The settings from the three flag values, or none; a key without a certificate (or the
     * reverse), or a client CA without both, is refused with a message that says which is missing.
     */
    public static Optional<GrpcTls> of(Optional<String> cert, Optional<String> key, Optional<String> clientCa) {
        if (cert.isEmpty() && key.isEmpty()) {
            if (clientCa.isPresent()) {
                throw new IllegalArgumentException("--grpc-tls-client-ca needs --grpc-tls-cert and --grpc-tls-key "
                        + "(mutual TLS is TLS with client certificates)");
            }
            return Optional.empty();
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw new IllegalArgumentException((cert.isEmpty() ? "--grpc-tls-cert" : "--grpc-tls-key")
                    + " is missing: TLS on the control stream needs both --grpc-tls-cert FILE and --grpc-tls-key FILE");
        }
        return Optional.of(new GrpcTls(Path.of(cert.get()), Path.of(key.get()), clientCa.map(Path::of)));
    }

    public boolean mutual() {
        return clientCa.isPresent();
    }

    /**
     * The server credentials. Under mTLS the handshake asks for a client certificate but does not
     * require one: a certificate that is presented must chain to the client CA (else the handshake
     * fails), and a call without one is refused by {@link #interceptor()} with UNAUTHENTICATED and a
     * description the sidecar logs, instead of a bare handshake failure that neither side explains.
     */
    public ServerCredentials credentials() {
        try {
            TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder()
                    .keyManager(cert.toFile(), key.toFile());
            if (clientCa.isPresent()) {
                builder.trustManager(clientCa.get().toFile())
                        .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
            }
            return builder.build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read the control stream's TLS files (--grpc-tls-cert "
                    + cert + ", --grpc-tls-key " + key + clientCa.map(ca -> ", --grpc-tls-client-ca " + ca).orElse("")
                    + "): " + e.getMessage() + " (expected: PEM certificates and an unencrypted PKCS#8 key)");
        }
    }

    /** Refuses calls without a client certificate under mTLS; lets every call through otherwise. */
    public Optional<ServerInterceptor> interceptor() {
        return clientCa.map(ca -> new ClientCertificateRequired());
    }

    public String describe() {
        return mutual() ? "mutual TLS (client certificates signed by " + clientCa.get() + ")" : "TLS";
    }

    private static void readable(Path file, String flag) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(flag + " " + file + ": no such readable file");
        }
    }
}
