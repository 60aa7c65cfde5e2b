package dev.tollgate.controlplane.transport;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Under mutual TLS, refuses a call whose connection presented no client certificate, before the
 * control stream sees it: UNAUTHENTICATED with a description that tells the sidecar's operator
 * which flags to set, and a warning in the control plane's log naming the peer address.
 * Certificates that were presented have already been checked against the client CA by the TLS
 * handshake. Thread-safe (stateless).
 */
final class ClientCertificateRequired implements ServerInterceptor {

    private static final System.Logger LOG = System.getLogger(ClientCertificateRequired.class.getName());

    static final String DESCRIPTION = "this control plane requires mutual TLS and the sidecar presented no client "
            + "certificate: start the sidecar with --control-plane-cert FILE --control-plane-key FILE (signed by the "
            + "control plane's --grpc-tls-client-ca)";

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                        ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session != null && hasPeerCertificate(session)) {
            return next.startCall(call, headers);
        }
        SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        LOG.log(System.Logger.Level.WARNING, "refused a sidecar connection from " + peer
                + ": no client certificate, and mutual TLS is required (--grpc-tls-client-ca)");
        call.close(Status.UNAUTHENTICATED.withDescription(DESCRIPTION), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    private static boolean hasPeerCertificate(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain != null && chain.length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }
}
