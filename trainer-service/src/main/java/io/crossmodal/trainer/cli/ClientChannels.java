package io.crossmodal.trainer.cli;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the CLI's {@code client} commands reach a service: plaintext, TLS (a CA file, or the JVM's default CAs),
 * mutual TLS (client certificate and key, PEM), and a bearer token sent as {@code authorization: Bearer <token>}
 * metadata (docs/SECURITY.md). The command line's options for it: {@link ClientConnectionOptions}.
 *
 * @param target   {@code host:port} (or any grpc-java target)
 * @param tls      TLS with the JVM's default trust store even without {@code caFile}
 * @param caFile   PEM CA certificate(s) to trust (implies TLS), or null
 * @param certFile PEM client certificate chain (mutual TLS), or null
 * @param keyFile  PEM private key of {@code certFile} (PKCS#8), or null
 * @param token    bearer token, or null
 */
public record ClientChannels(String target, boolean tls, Path caFile, Path certFile, Path keyFile, String token) {

    /** The environment variable a token is read from when neither --token nor --token-file is given. */
    public static final String TOKEN_ENV = "CROSSMODAL_TOKEN";

    public ClientChannels {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (token != null && (token.isBlank() || token.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            throw new IllegalArgumentException("the token is empty or holds spaces or control characters");
        }
    }

    /** The first non-blank line that is not a {@code #} comment. */
    static String readToken(Path file) {
        String token;
        try {
            token = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("token file " + file + " holds no token"));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read token file " + file + ": " + e.getMessage());
        }
        if (token.regionMatches(true, 0, "sha256:", 0, 7)) {
            throw new IllegalArgumentException("token file " + file + " starts with a hashed entry (sha256:...), the"
                    + " server's form: a client needs the token itself");
        }
        return token;
    }

    public boolean usesTls() {
        return tls || caFile != null || certFile != null;
    }

    /** A channel to {@link #target} with these options. */
    public ManagedChannel open() {
        ChannelCredentials credentials;
        if (usesTls()) {
            TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
            try {
                if (caFile != null) {
                    b.trustManager(caFile.toFile());
                }
                if (certFile != null) {
                    b.keyManager(certFile.toFile(), keyFile.toFile());
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot read the TLS files (--tls-ca / --tls-cert / --tls-key): "
                        + e.getMessage(), e);
            }
            credentials = b.build();
        } else {
            credentials = InsecureChannelCredentials.create();
        }
        var builder = Grpc.newChannelBuilder(target, credentials);
        if (token != null) {
            if (!usesTls()) {
                System.err.println("warning: sending a bearer token over plaintext (no --tls / --tls-ca)");
            }
            builder.intercept(bearer(token));
        }
        return builder.build();
    }

    static ClientInterceptor bearer(String token) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return MetadataUtils.newAttachHeadersInterceptor(m);
    }

    @Override
    public String toString() {
        // never the token
        return "ClientChannels[" + target + (usesTls() ? ", tls" : ", plaintext") + (certFile != null ? ", client certificate"
                : "") + (token != null ? ", token" : "") + "]";
    }
}
