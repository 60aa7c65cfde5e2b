package dev.tollgate.sidecar.upstream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Opens connections: TCP with {@code TCP_NODELAY} (a request and each of its answers' chunks leave
 * at once), then for https a TLS handshake with the context's trust and host name verification.
 * Stateless apart from its settings; thread-safe.
 */
final class Dialer {

    private final SSLContext ssl;

    Dialer(SSLContext ssl) {
        this.ssl = ssl;
    }

    SSLContext sslContext() {
        return ssl;
    }

    /**
     * A new connection to {@code origin}; connecting and the TLS handshake each within
     * {@code timeoutMillis}. A time-out is an {@link HttpConnectTimeoutException}, as the JDK client throws.
     */
    Connection open(Origin origin, int timeoutMillis) throws IOException {
        InetAddress address = InetAddress.getByName(origin.host());
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            try {
                socket.connect(new InetSocketAddress(address, origin.port()), timeoutMillis);
            } catch (SocketTimeoutException e) {
                throw connectTimeout(origin, timeoutMillis, e);
            }
            if (!origin.tls()) {
                return new Connection(origin, socket);
            }
            SSLSocket tls = (SSLSocket) ssl.getSocketFactory().createSocket(socket, origin.host(), origin.port(), true);
            SSLParameters params = tls.getSSLParameters();
            // The certificate must name the host we dialled, as the JDK client checks it.
            params.setEndpointIdentificationAlgorithm("HTTPS");
            params.setApplicationProtocols(new String[] {"http/1.1"});
            tls.setSSLParameters(params);
            tls.setSoTimeout(timeoutMillis);
            try {
                tls.startHandshake();
            } catch (SocketTimeoutException e) {
                throw connectTimeout(origin, timeoutMillis, e);
            }
            // Reads after the handshake are bounded by the request's deadline (Deadlines), not the socket.
            tls.setSoTimeout(0);
            return new Connection(origin, tls);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static HttpConnectTimeoutException connectTimeout(Origin origin, int millis, Exception cause) {
        HttpConnectTimeoutException e = new HttpConnectTimeoutException("connecting to " + origin.host() + ":"
                + origin.port() + " timed out after " + millis + " ms");
        e.initCause(cause);
        return e;
    }
}
