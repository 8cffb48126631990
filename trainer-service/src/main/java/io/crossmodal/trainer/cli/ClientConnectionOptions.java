package io.crossmodal.trainer.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The connection options of the {@code client} command; {@link #channels()} checks them and reads the token. */
final class ClientConnectionOptions {
    @Option(names = "--target", required = true, paramLabel = "HOST:PORT", description = "The service's address.")
    String target;

    @Option(names = "--tls", description = "TLS, trusting the JVM's CAs.")
    boolean tls;

    @Option(names = "--tls-ca", paramLabel = "CA.pem", description = "TLS, trusting the CA certificate(s) in this PEM file.")
    Path caFile;

    @Option(names = "--tls-cert", paramLabel = "CLIENT.pem", description = "Client certificate chain for mutual TLS (PEM).")
    Path certFile;

    @Option(names = "--tls-key", paramLabel = "CLIENT.key", description = "Private key of --tls-cert (PEM, PKCS#8).")
    Path keyFile;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the bearer token (first line that is"
            + " not a # comment).")
    Path tokenFile;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token, sent as 'authorization: Bearer'"
            + " (default: env " + ClientChannels.TOKEN_ENV + "); see docs/SECURITY.md.")
    String token;

    /** The channel settings; the token from --token, --token-file or the environment. */
    ClientChannels channels() {
        if (tokenFile != null && token != null) {
            throw new IllegalArgumentException("give --token or --token-file, not both");
        }
        String t = token;
        if (tokenFile != null) {
            t = ClientChannels.readToken(tokenFile);
        } else if (t == null) {
            // the literal name, so the k8s module's env-name check (EnvNames) sees what the CLI reads
            String env = System.getenv("CROSSMODAL_TOKEN");
            t = env == null || env.isBlank() ? null : env.strip();
        }
        return new ClientChannels(target, tls, caFile, certFile, keyFile, t);
    }
}
