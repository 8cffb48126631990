package io.crossmodal.security.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI for tests, generated at test time (BouncyCastle, EC P-256) into a temporary directory; nothing
 * of it is ever committed. One per JVM ({@link #shared()}), so a {@code QuarkusTestProfile} (which configures the
 * server) and the test (which connects) see the same files.
 * <ul>
 *   <li>{@link #ca}: the CA of the server certificate and of the client certificates;</li>
 *   <li>{@link #server}: {@code CN=localhost}, SAN {@code DNS:localhost}, {@code IP:127.0.0.1};</li>
 *   <li>{@link #client} ({@value #CLIENT_SUBJECT}) and {@link #otherClient} ({@value #OTHER_CLIENT_SUBJECT}), both
 *       issued by the CA; {@link #rogueClient}: a client certificate of another CA;</li>
 *   <li>{@link #token} / {@link #otherToken}: random bearer tokens; {@link #tokenFile} accepts {@code token} (hashed,
 *       {@code sha256:...}) and {@code otherToken} (plain); {@link #clientTokenFile} holds {@code token} for a client.</li>
 * </ul>
 */
public final class TestPki {

    public static final String CLIENT_SUBJECT = "CN=test-client,O=crossmodal-test";
    public static final String OTHER_CLIENT_SUBJECT = "CN=other-client,O=crossmodal-test";

    /** A certificate file and its key file (PEM, PKCS#8). */
    public record Pair(Path cert, Path key) {
    }

    public final Path dir;
    public final Path ca;
    public final Pair server;
    public final Pair client;
    public final Pair otherClient;
    public final Pair rogueClient;
    /** A client certificate of the trusted CA with the allowed subject whose validity ended yesterday. */
    public final Pair expiredClient;
    public final String token;
    public final String otherToken;
    public final Path tokenFile;
    /** A client's token file (the CLI's / Python client's --token-file): {@link #token} itself. */
    public final Path clientTokenFile;

    private static TestPki shared;

    /** The JVM's test PKI, generated on first use. */
    public static synchronized TestPki shared() {
        if (shared == null) {
            try {
                shared = new TestPki(Files.createTempDirectory("crossmodal-test-pki-"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    private final SecureRandom random = new SecureRandom();

    public TestPki(Path dir) {
        this.dir = dir;
        try {
            KeyPair caKeys = keys();
            X500Name caName = name("CN=crossmodal test CA,O=crossmodal-test");
            X509Certificate caCert = sign(caName, caKeys, caName, caKeys, true, null, null);
            ca = write("ca.pem", pem("CERTIFICATE", caCert.getEncoded()));

            KeyPair serverKeys = keys();
            server = pair("server", sign(caName, caKeys, name("CN=localhost"), serverKeys, false,
                    KeyPurposeId.id_kp_serverAuth, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1")})), serverKeys);
            KeyPair clientKeys = keys();
            client = pair("client", sign(caName, caKeys, name(CLIENT_SUBJECT), clientKeys, false,
                    KeyPurposeId.id_kp_clientAuth, null), clientKeys);
            KeyPair otherKeys = keys();
            otherClient = pair("other-client", sign(caName, caKeys, name(OTHER_CLIENT_SUBJECT), otherKeys,
                    false, KeyPurposeId.id_kp_clientAuth, null), otherKeys);

            KeyPair rogueCaKeys = keys();
            X500Name rogueCa = name("CN=rogue CA");
            KeyPair rogueKeys = keys();
            rogueClient = pair("rogue-client", sign(rogueCa, rogueCaKeys, name(CLIENT_SUBJECT), rogueKeys,
                    false, KeyPurposeId.id_kp_clientAuth, null), rogueKeys);

            KeyPair expiredKeys = keys();
            Instant now = Instant.now();
            expiredClient = pair("expired-client", sign(caName, caKeys, name(CLIENT_SUBJECT), expiredKeys, false,
                    KeyPurposeId.id_kp_clientAuth, null, now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1))),
                    expiredKeys);

            token = randomToken();
            otherToken = randomToken();
            tokenFile = write("tokens", String.join("\n", List.of("# test tokens, generated at test time",
                    sha256(token), "", otherToken)) + "\n");
            clientTokenFile = write("client-token", token + "\n");
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate the test PKI", e);
        }
    }

    /**
     * The service configuration that serves TLS with this PKI's server certificate and, with {@code mutual}, asks for
     * client certificates of its CA: the common part of every TLS test profile.
     */
    public Map<String, String> serverTls(boolean mutual) {
        Map<String, String> config = new HashMap<>();
        config.put("crossmodal.tls.cert", server.cert().toString());
        config.put("crossmodal.tls.key", server.key().toString());
        if (mutual) {
            config.put("crossmodal.tls.client-ca", ca.toString());
        }
        return config;
    }

    public String randomToken() {
        byte[] b = new byte[24];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private Pair pair(String name, X509Certificate cert, KeyPair keys) throws IOException, GeneralSecurityException {
        return new Pair(write(name + ".pem", pem("CERTIFICATE", cert.getEncoded())),
                write(name + ".key", pem("PRIVATE KEY", keys.getPrivate().getEncoded())));
    }

    /** A name as RFC 2253 reads it (most significant RDN last), as X500Principal#getName prints it. */
    private static X500Name name(String rfc2253) {
        return X500Name.getInstance(new X500Principal(rfc2253).getEncoded());
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject, KeyPair subjectKeys, boolean ca,
            KeyPurposeId purpose, GeneralNames san) throws GeneralSecurityException, OperatorCreationException, IOException {
        Instant now = Instant.now();
        return sign(issuer, issuerKeys, subject, subjectKeys, ca, purpose, san, now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(2)));
    }

    private X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject, KeyPair subjectKeys, boolean ca,
            KeyPurposeId purpose, GeneralNames san, Instant notBefore, Instant notAfter)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, random).add(BigInteger.ONE),
                Date.from(notBefore), Date.from(notAfter), subject, subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        }
        if (san != null) {
            b.addExtension(Extension.subjectAlternativeName, false, san);
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.US_ASCII);
        p.toFile().deleteOnExit();
        return p;
    }

    /** {@code sha256:<hex>} of a token, the hashed form of a token file line. */
    public static String sha256(String token) {
        try {
            return "sha256:" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
