package io.crossmodal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigValue;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

/** crossmodal.tls.* -> the Quarkus keys, and the client certificate mode of the HTTPS server. */
class TlsConfigurationTest {

    static Map<String, String> derived(Map<String, String> config) {
        ConfigSourceContext context = new ConfigSourceContext() {
            @Override
            public ConfigValue getValue(String name) {
                return ConfigValue.builder().withName(name).withValue(config.get(name)).build();
            }

            @Override
            public Iterator<String> iterateNames() {
                return config.keySet().iterator();
            }
        };
        var sources = new TlsConfigSourceFactory().getConfigSources(context);
        return StreamSupport.stream(sources.spliterator(), false).findFirst().map(ConfigSource::getProperties).orElse(Map.of());
    }

    @Test
    void certificateAndKeyMakeTheSamePortTlsOnly() {
        Map<String, String> p = derived(Map.of("crossmodal.tls.cert", "/s/tls.crt", "crossmodal.tls.key", "/s/tls.key",
                "crossmodal.tls.client-ca", "/c/ca.pem", "quarkus.http.port", "9100", "quarkus.http.test-port", "0"));
        assertEquals("/s/tls.crt", p.get("quarkus.tls.crossmodal.key-store.pem.0.cert"));
        assertEquals("/s/tls.key", p.get("quarkus.tls.crossmodal.key-store.pem.0.key"));
        assertEquals("/c/ca.pem", p.get("quarkus.tls.crossmodal.trust-store.pem.certs"));
        assertEquals("crossmodal", p.get("quarkus.http.tls-configuration-name"));
        assertEquals("disabled", p.get("quarkus.http.insecure-requests"));
        assertEquals("9100", p.get("quarkus.http.ssl-port"));
        assertEquals("0", p.get("quarkus.http.test-ssl-port"));
    }

    @Test
    void nothingConfiguredStaysPlaintextAndHalfAConfigurationIsAnError() {
        assertTrue(derived(Map.of("quarkus.http.port", "9100")).isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> derived(Map.of("crossmodal.tls.cert", "/s/tls.crt")));
        assertTrue(e.getMessage().contains("crossmodal.tls.key"), e.getMessage());
    }

    @Test
    void clientCertificatesRequestedOrRequiredOnlyWithAClientCa() {
        HttpServerOptions options = new HttpServerOptions();
        new ClientCertificateCustomizer(tls(null, TlsSettings.ClientAuthMode.REQUEST)).customizeHttpsServer(options);
        assertEquals(ClientAuth.NONE, options.getClientAuth());
        new ClientCertificateCustomizer(tls("ca.pem", TlsSettings.ClientAuthMode.REQUEST)).customizeHttpsServer(options);
        assertEquals(ClientAuth.REQUEST, options.getClientAuth());
        new ClientCertificateCustomizer(tls("ca.pem", TlsSettings.ClientAuthMode.REQUIRED)).customizeHttpsServer(options);
        assertEquals(ClientAuth.REQUIRED, options.getClientAuth());
        assertFalse(options.isSsl(), "the customizer only sets the client mode; TLS itself comes from the TLS registry");
    }

    static TlsSettings tls(String clientCa, TlsSettings.ClientAuthMode mode) {
        return new AuthPolicyTest.Tls(Optional.of("c.pem"), Optional.of("k.pem"), Optional.ofNullable(clientCa), mode,
                Optional.<Duration>empty());
    }
}
