package dev.tollgate.sdktests;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throw-away certificate authority for tests: it signs server certificates (for 127.0.0.1 and
 * localhost) and client certificates, and writes them as PEM files (keys as unencrypted PKCS#8),
 * the format the control plane and the sidecar read. Serial numbers count up from 1, so runs are
 * repeatable apart from the keys themselves. Not thread-safe.
 */
final class TestCertificates {

    /** PEM files of one issued certificate. */
    public record Issued(Path cert, Path key) {
    }

    private final Path dir;
    private final KeyPair caKeys;
    private final X500Name caName;
    private final X509CertificateHolder caCert;
    private final Path caFile;
    private long serial = 1;

    private TestCertificates(Path dir, String caCommonName) throws IOException, GeneralSecurityException {
        this.dir = dir;
        this.caKeys = newKeyPair();
        this.caName = new X500Name("CN=" + caCommonName);
        try {
            this.caCert = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(serial++), notBefore(), notAfter(),
                    caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
        this.caFile = dir.resolve(caCommonName + "-ca.pem");
        writeCert(caFile, caCert);
    }

    /** A new CA whose files go into {@code dir}. */
    public static TestCertificates authority(Path dir, String name) throws IOException, GeneralSecurityException {
        return new TestCertificates(dir, name);
    }

    /** The CA certificate (what a peer trusts). */
    public Path caFile() {
        return caFile;
    }

    /** A server certificate valid for 127.0.0.1 and localhost. */
    public Issued server(String name) throws IOException, GeneralSecurityException {
        return issue(name, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "localhost")}));
    }

    /** A client certificate for mutual TLS. */
    public Issued client(String name) throws IOException, GeneralSecurityException {
        return issue(name, new GeneralNames(new GeneralName(GeneralName.dNSName, name)));
    }

    private Issued issue(String name, GeneralNames names) throws IOException, GeneralSecurityException {
        KeyPair keys = newKeyPair();
        X509CertificateHolder cert;
        try {
            cert = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(serial++), notBefore(), notAfter(),
                    new X500Name("CN=" + name), keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.subjectAlternativeName, false, names)
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
        Path certFile = dir.resolve(name + ".crt.pem");
        Path keyFile = dir.resolve(name + ".key.pem");
        writeCert(certFile, cert);
        writeKey(keyFile, keys.getPrivate());
        return new Issued(certFile, keyFile);
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(1, ChronoUnit.HOURS));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(1, ChronoUnit.DAYS));
    }

    private static void writeCert(Path file, X509CertificateHolder cert) throws IOException {
        write(file, new PemObject("CERTIFICATE", cert.getEncoded()));
    }

    private static void writeKey(Path file, PrivateKey key) throws IOException {
        // getEncoded() of a JDK private key is PKCS#8 DER: "BEGIN PRIVATE KEY", what Netty reads.
        write(file, new PemObject("PRIVATE KEY", key.getEncoded()));
    }

    private static void write(Path file, PemObject pem) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(pem);
        }
        Files.writeString(file, text.toString());
    }
}
