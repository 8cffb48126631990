package io.crossmodal.security.testing;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/** Channels and HTTPS requests to a service under test, with or without TLS, client certificate and token. */
public final class TestChannels {

    private TestChannels() {
    }

    /** A TLS channel to {@code localhost:port} trusting {@code ca}; with {@code client} (or null), mutual TLS. */
    public static ManagedChannel tls(int port, Path ca, TestPki.Pair client) {
        try {
            TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().trustManager(ca.toFile());
            if (client != null) {
                b.keyManager(client.cert().toFile(), client.key().toFile());
            }
            return Grpc.newChannelBuilderForAddress("localhost", port, b.build()).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A mutual-TLS channel that presents {@code client}'s certificate whatever CAs the server's handshake names
     * (a JDK key manager presents none that the server would not accept; an attacker's client does): the server
     * itself must refuse an untrusted or expired certificate.
     */
    public static ManagedChannel tlsPresenting(int port, Path ca, TestPki.Pair client) {
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(client.cert())));
            String pem = Files.readString(client.key()).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            X509ExtendedKeyManager always = new X509ExtendedKeyManager() {
                @Override
                public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                    return "client";
                }

                @Override
                public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                    return "client";
                }

                @Override
                public String[] getClientAliases(String keyType, Principal[] issuers) {
                    return new String[] {"client"};
                }

                @Override
                public X509Certificate[] getCertificateChain(String alias) {
                    return new X509Certificate[] {cert};
                }

                @Override
                public PrivateKey getPrivateKey(String alias) {
                    return key;
                }

                @Override
                public String[] getServerAliases(String keyType, Principal[] issuers) {
                    return null;
                }

                @Override
                public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                    return null;
                }
            };
            ChannelCredentials credentials = TlsChannelCredentials.newBuilder().trustManager(ca.toFile()).keyManager(always).build();
            return Grpc.newChannelBuilderForAddress("localhost", port, credentials).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS channel that trusts only the JVM's default CAs (so not the test CA). */
    public static ManagedChannel tlsDefaultTrust(int port) {
        return Grpc.newChannelBuilderForAddress("localhost", port, TlsChannelCredentials.create()).build();
    }

    /** A plaintext channel. */
    public static ManagedChannel plaintext(int port) {
        ChannelCredentials c = InsecureChannelCredentials.create();
        return Grpc.newChannelBuilderForAddress("localhost", port, c).build();
    }

    public static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Sends {@code authorization: Bearer <token>} with every call. */
    public static ClientInterceptor bearer(String token) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return MetadataUtils.newAttachHeadersInterceptor(m);
    }

    public static <S extends AbstractStub<S>> S withToken(S stub, String token) {
        return stub.withInterceptors(bearer(token));
    }

    /** GET {@code https://localhost:port<path>} trusting {@code ca}, without a client certificate (as a probe). */
    public static HttpResponse<String> httpsGet(int port, Path ca, String path) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (var in = Files.newInputStream(ca)) {
            trust.setCertificateEntry("ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
