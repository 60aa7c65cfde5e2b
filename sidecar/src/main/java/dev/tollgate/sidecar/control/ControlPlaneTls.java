package dev.tollgate.sidecar.control;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How the sidecar secures its control stream: plaintext, or TLS ({@code --control-plane-tls})
 * trusting the JVM's CAs or only those in {@code --control-plane-ca}, with a client certificate
 * ({@code --control-plane-cert} and {@code --control-plane-key}) for mutual TLS. Files are read
 * once, when the channel is built. Immutable.
 *
 * @param enabled  whether the stream uses TLS at all
 * @param trust    CA certificates (PEM) the control plane's certificate must chain to; empty: the JVM's
 * @param identity this sidecar's client certificate and key (PEM, PKCS#8), for mutual TLS
 */
public record ControlPlaneTls(boolean enabled, Optional<Path> trust, Optional<ClientCertificate> identity) {

    /** A client certificate chain and its private key. */
    public record ClientCertificate(Path cert, Path key) {
        public ClientCertificate {
            readable(cert, "--control-plane-cert");
            readable(key, "--control-plane-key");
        }
    }

    public static final ControlPlaneTls PLAINTEXT = new ControlPlaneTls(false, Optional.empty(), Optional.empty());

    public ControlPlaneTls {
        Objects.requireNonNull(trust, "trust");
        Objects.requireNonNull(identity, "identity");
        if (!enabled && (trust.isPresent() || identity.isPresent())) {
            throw new IllegalArgumentException("a CA or client certificate for the control stream needs TLS enabled");
        }
        trust.ifPresent(ca -> readable(ca, "--control-plane-ca"));
    }

    /**
     * From the flag values: any of the CA or client-certificate flags turns TLS on; a certificate
     * without its key (or the reverse) is refused.
     */
    public static ControlPlaneTls of(boolean tlsSwitch, Optional<String> ca, Optional<String> cert,
                                     Optional<String> key) {
        if (cert.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException((cert.isEmpty() ? "--control-plane-cert" : "--control-plane-key")
                    + " is missing: a client certificate needs both --control-plane-cert FILE and --control-plane-key FILE");
        }
        boolean enabled = tlsSwitch || ca.isPresent() || cert.isPresent();
        if (!enabled) {
            return PLAINTEXT;
        }
        return new ControlPlaneTls(true, ca.map(Path::of),
                cert.map(c -> new ClientCertificate(Path.of(c), Path.of(key.orElseThrow()))));
    }

    public ChannelCredentials credentials() {
        if (!enabled) {
            return InsecureChannelCredentials.create();
        }
        try {
            TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
            if (trust.isPresent()) {
                builder.trustManager(trust.get().toFile());
            }
            if (identity.isPresent()) {
                builder.keyManager(identity.get().cert().toFile(), identity.get().key().toFile());
            }
            return builder.build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read the control stream's TLS files ("
                    + describe() + "): " + e.getMessage() + " (expected: PEM certificates and an unencrypted PKCS#8 key)");
        }
    }

    /** For logs and --print-config: what is used, never a secret (file names only). */
    public String describe() {
        if (!enabled) {
            return "plaintext";
        }
        return "TLS, trusting " + trust.map(Path::toString).orElse("the JVM's CA certificates")
                + identity.map(i -> ", client certificate " + i.cert()).orElse(", no client certificate");
    }

    /**
     * A hint for a stream that ended before it ever opened: the commonest causes are a TLS
     * mismatch between the two ends, named in the operator's own terms.
     */
    String hint(Throwable cause) {
        Throwable deepest = null;
        boolean handshake = false;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return ""; // nothing listens there: not a TLS question
            }
            if (t.getClass().getSimpleName().equals("NotSslRecordException")) {
                return "the control plane does not speak TLS on this port: drop the --control-plane-tls/-ca/-cert flags,"
                        + " or start the control plane with --grpc-tls-cert and --grpc-tls-key";
            }
            handshake |= t instanceof javax.net.ssl.SSLException || t instanceof java.security.GeneralSecurityException;
            deepest = t;
        }
        if (handshake) {
            return "TLS handshake failed (" + deepest.getClass().getSimpleName() + ": " + deepest.getMessage()
                    + "): check that --control-plane-ca holds the CA that signed the control plane's certificate"
                    + " and that the certificate names the host in --control-plane";
        }
        if (!enabled) {
            return "if the control plane serves TLS (--grpc-tls-cert), start the sidecar with --control-plane-tls"
                    + " or --control-plane-ca FILE";
        }
        return "";
    }

    private static void readable(Path file, String flag) {
        Objects.requireNonNull(file, flag);
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(flag + " " + file + ": no such readable file");
        }
    }
}
