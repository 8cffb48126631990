package io.crossmodal.security;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns {@code crossmodal.tls.*} into the Quarkus configuration of a TLS-only port, so that one switch (the
 * certificate and key paths, e.g. env {@code CROSSMODAL_TLS_CERT} / {@code CROSSMODAL_TLS_KEY} naming files of a
 * mounted Kubernetes Secret) moves the service's single port from plaintext to TLS:
 * <ul>
 *   <li>the TLS registry configuration {@value #TLS_CONFIGURATION}: {@code quarkus.tls.crossmodal.key-store.pem.0.cert
 *       / .key}, the client CA as its trust store, the reload period;</li>
 *   <li>{@code quarkus.http.tls-configuration-name=crossmodal}: the HTTP server, which gRPC shares
 *       ({@code quarkus.grpc.server.use-separate-server=false}), uses it;</li>
 *   <li>{@code quarkus.http.insecure-requests=disabled} and the HTTPS port = the configured HTTP port
 *       ({@code quarkus.http.ssl-port} / {@code test-ssl-port}): the same port number, TLS only.</li>
 * </ul>
 * Without a certificate nothing is added and the port stays plaintext. The values sit at ordinal
 * {@value #ORDINAL}, below application.properties, so any of them can still be set explicitly. Registered in
 * {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}.
 */
public class TlsConfigSourceFactory implements ConfigSourceFactory {

    /** Name of the TLS registry configuration of the server port. */
    public static final String TLS_CONFIGURATION = "crossmodal";
    static final int ORDINAL = 240;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        String cert = value(context, "crossmodal.tls.cert");
        String key = value(context, "crossmodal.tls.key");
        if (cert == null && key == null) {
            return List.of();
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException("TLS needs both crossmodal.tls.cert and crossmodal.tls.key (env"
                    + " CROSSMODAL_TLS_CERT / CROSSMODAL_TLS_KEY); only " + (cert == null ? "key" : "cert") + " is set");
        }
        Map<String, String> p = new HashMap<>();
        String prefix = "quarkus.tls." + TLS_CONFIGURATION + ".";
        p.put(prefix + "key-store.pem.0.cert", cert);
        p.put(prefix + "key-store.pem.0.key", key);
        String clientCa = value(context, "crossmodal.tls.client-ca");
        if (clientCa != null) {
            p.put(prefix + "trust-store.pem.certs", clientCa);
        }
        String reload = value(context, "crossmodal.tls.reload-period");
        if (reload != null) {
            p.put(prefix + "reload-period", reload);
        }
        p.put("quarkus.http.tls-configuration-name", TLS_CONFIGURATION);
        p.put("quarkus.http.insecure-requests", "disabled");
        String port = value(context, "quarkus.http.port");
        if (port != null) {
            p.put("quarkus.http.ssl-port", port);
        }
        String testPort = value(context, "quarkus.http.test-port");
        if (testPort != null) {
            p.put("quarkus.http.test-ssl-port", testPort);
        }
        return List.of(new PropertiesConfigSource(p, "crossmodal.tls (derived)", ORDINAL));
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue v = context.getValue(name);
        return v == null || v.getValue() == null || v.getValue().isBlank() ? null : v.getValue().trim();
    }
}
