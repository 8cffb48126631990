package io.crossmodal.security;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Client certificates (mutual TLS) of the HTTPS server that serves gRPC: with {@code crossmodal.tls.client-ca} set,
 * the handshake requests ({@code client-auth=request}) or requires ({@code required}) a client certificate, verified
 * against that CA (the TLS registry trust store {@link TlsConfigSourceFactory} configures). Done here, at run time,
 * because Quarkus' own {@code quarkus.http.ssl.client-auth} is fixed at build time, and one build serves with and
 * without mutual TLS.
 */
@ApplicationScoped
public class ClientCertificateCustomizer implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(ClientCertificateCustomizer.class);

    private final TlsSettings tls;

    public ClientCertificateCustomizer(TlsSettings tls) {
        this.tls = tls;
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        if (tls.clientCa().isEmpty()) {
            options.setClientAuth(ClientAuth.NONE);
            LOG.infof("TLS on (certificate %s); no client certificates (crossmodal.tls.client-ca unset)",
                    tls.cert().orElse("?"));
            return;
        }
        ClientAuth mode = tls.clientAuth() == TlsSettings.ClientAuthMode.REQUIRED ? ClientAuth.REQUIRED : ClientAuth.REQUEST;
        options.setClientAuth(mode);
        LOG.infof("TLS on (certificate %s); mutual TLS: client certificates issued by %s, handshake %s, required by"
                + " every gRPC call but grpc.health.v1", tls.cert().orElse("?"), tls.clientCa().get(), mode);
    }
}
