package dev.tollgate.sidecar.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https against a loopback TLS server whose self-signed certificate (made by the JDK's keytool for
 * this run only) names localhost and 127.0.0.1; the client trusts it through a test trust store.
 * A second certificate, also trusted, names another host.
 */
class UpstreamTlsTest {

    private static final char[] STORE_PASSWORD = "test-only".toCharArray();

    @TempDir
    static Path dir;
    private static SSLContext serverContext;
    private static SSLContext otherServerContext;
    private static SSLContext clientContext;

    @BeforeAll
    static void certificates() throws Exception {
        KeyStore localhost = keyPair("localhost", "SAN=dns:localhost,ip:127.0.0.1");
        KeyStore other = keyPair("other", "SAN=dns:other.example");
        serverContext = serverContext(localhost);
        otherServerContext = serverContext(other);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("localhost", localhost.getCertificate("localhost"));
        trust.setCertificateEntry("other", other.getCertificate("other"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);
    }

    /** A self-signed EC key pair for {@code alias}, made by keytool, valid for two days. */
    private static KeyStore keyPair(String alias, String san) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path store = dir.resolve(alias + ".p12");
        Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", alias,
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + alias, "-validity", "2",
                "-ext", san, "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD)))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, STORE_PASSWORD);
        }
        return keys;
    }

    private static SSLContext serverContext(KeyStore keys) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, STORE_PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private static RawServer tlsServer(SSLContext context) throws Exception {
        return new RawServer(context.getServerSocketFactory(), peer -> {
            while (peer.readRequest() != null) {
                peer.write("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{\"tls\":true}");
            }
        });
    }

    private static HttpRequest get(String host, int port) {
        return HttpRequest.newBuilder(URI.create("https://" + host + ":" + port + "/v1/models"))
                .timeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void httpsWorksAndKeepsTheConnection() throws Exception {
        try (RawServer server = tlsServer(serverContext);
             UpstreamHttpClient client = new UpstreamHttpClient(UpstreamHttpClient.Settings.defaults(), clientContext)) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = client.send(get("localhost", server.port()), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("{\"tls\":true}", r.body());
                assertTrue(r.sslSession().isPresent());
            }
            assertEquals(1, server.connections());
            assertTrue(server.requests.get(0).contains("\r\nHost: localhost:" + server.port() + "\r\n"));
        }
    }

    @Test
    void certificateForAnotherHostIsRefused() throws Exception {
        // Trusted, but issued to other.example: the client dialled localhost.
        try (RawServer server = tlsServer(otherServerContext);
             UpstreamHttpClient client = new UpstreamHttpClient(UpstreamHttpClient.Settings.defaults(), clientContext)) {
            assertThrows(SSLHandshakeException.class,
                    () -> client.send(get("localhost", server.port()), HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void untrustedCertificateIsRefusedWithTheDefaultTrust() throws Exception {
        try (RawServer server = tlsServer(serverContext);
             UpstreamHttpClient client = UpstreamHttpClient.withDefaultTls(UpstreamHttpClient.Settings.defaults())) {
            assertThrows(SSLHandshakeException.class,
                    () -> client.send(get("localhost", server.port()), HttpResponse.BodyHandlers.ofString()));
        }
    }
}
