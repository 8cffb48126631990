package io.crossmodal.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * {@code crossmodal.tls.*}: TLS of the service's port (gRPC, health and metrics share it). With {@code cert} and
 * {@code key} set, the port speaks TLS only; without them, plaintext. {@link TlsConfigSourceFactory} turns these
 * keys into the Quarkus TLS registry configuration {@value TlsConfigSourceFactory#TLS_CONFIGURATION} used by the
 * HTTP server; this mapping documents and validates them.
 */
@ConfigMapping(prefix = "crossmodal.tls")
public interface TlsSettings {

    /** PEM certificate chain of the server (env {@code CROSSMODAL_TLS_CERT}). */
    Optional<String> cert();

    /** PEM private key of the server, PKCS#8 or PKCS#1 (env {@code CROSSMODAL_TLS_KEY}). */
    Optional<String> key();

    /**
     * PEM file of the CA certificate(s) that issue client certificates (env {@code CROSSMODAL_TLS_CLIENT_CA}). When
     * set, clients present a certificate chain to this CA: the TLS handshake verifies a presented certificate,
     * and every gRPC call but grpc.health.v1 without one is refused (UNAUTHENTICATED).
     */
    Optional<String> clientCa();

    /**
     * With a client CA: {@code request} (default: the handshake asks for a certificate and verifies it; calls
     * without one are refused per call, so HTTPS health probes, which present none, keep working) or
     * {@code required} (the handshake itself fails without a certificate; probes must then present one too).
     */
    @WithDefault("request")
    ClientAuthMode clientAuth();

    /** How often the certificate files are re-read (Quarkus TLS registry reload; at least 30s); unset = never. */
    Optional<java.time.Duration> reloadPeriod();

    enum ClientAuthMode {
        REQUEST, REQUIRED
    }
}
