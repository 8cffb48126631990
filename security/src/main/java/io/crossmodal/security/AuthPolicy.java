package io.crossmodal.security;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * What a gRPC call must present, decided once at startup from {@code crossmodal.auth.*} and {@code crossmodal.tls.*}
 * (docs/SECURITY.md). A configuration that would leave an API open by accident stops the service at startup with
 * the reason ({@link Startup}: this bean is created, and checked, before the service takes calls):
 * <ul>
 *   <li>authentication on ({@code crossmodal.auth.enabled}, the default) but no token and no allowed subject, unless
 *       {@code allow-unauthenticated} (the {@code local} profile) on a loopback host;</li>
 *   <li>{@code allow-unauthenticated} on a host that is not loopback;</li>
 *   <li>allowed subjects without mutual TLS; a token file that cannot be read; a malformed or short token.</li>
 * </ul>
 */
@Startup
@ApplicationScoped
public class AuthPolicy {

    private static final Logger LOG = Logger.getLogger(AuthPolicy.class);

    /** How calls are authenticated. */
    public enum Mode {
        /** No authentication (inference services by default). */
        OFF,
        /** Authentication required, but waived: the local profile on a loopback address. */
        LOCAL_UNAUTHENTICATED,
        /** A bearer token or an allowed client certificate on every call but health. */
        REQUIRED
    }

    private final Mode mode;
    private final TokenStore tokens;
    private final Set<String> allowedSubjects;
    private final boolean clientCertificateRequired;

    public AuthPolicy(AuthConfig auth, TlsSettings tls,
            @ConfigProperty(name = "quarkus.application.name", defaultValue = "service") String service,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host) {
        this.clientCertificateRequired = tls.clientCa().isPresent() && tls.cert().isPresent();
        this.allowedSubjects = parseSubjects(auth.allowedSubjects().orElse(""));
        if (!allowedSubjects.isEmpty() && !clientCertificateRequired) {
            throw new IllegalStateException("crossmodal.auth.allowed-subjects needs mutual TLS: set crossmodal.tls.cert,"
                    + " crossmodal.tls.key and crossmodal.tls.client-ca (the CA that issues the client certificates)");
        }
        if (!auth.enabled()) {
            mode = Mode.OFF;
            tokens = null;
        } else {
            tokens = new TokenStore(auth.tokenFile().map(Path::of).orElse(null), auth.tokens().orElse(List.of()),
                    auth.tokenFileCheckInterval());
            if (tokens.size() > 0 || !allowedSubjects.isEmpty()) {
                mode = Mode.REQUIRED;
            } else if (auth.allowUnauthenticated()) {
                if (!isLoopback(host)) {
                    throw new IllegalStateException("crossmodal.auth.allow-unauthenticated=true is only allowed on a"
                            + " loopback address, but quarkus.http.host=" + host + "; it is meant for the 'local'"
                            + " profile (-Dquarkus.profile=local), which binds to 127.0.0.1");
                }
                mode = Mode.LOCAL_UNAUTHENTICATED;
            } else {
                throw new IllegalStateException(service + ": authentication is required (crossmodal.auth.enabled=true)"
                        + " but no credential is configured. Set crossmodal.auth.token-file (env"
                        + " CROSSMODAL_AUTH_TOKEN_FILE: a file of tokens, one per line, or sha256:<hex> of them) or"
                        + " CROSSMODAL_AUTH_TOKENS, and/or crossmodal.auth.allowed-subjects with mutual TLS. For a local,"
                        + " loopback-only run without authentication use -Dquarkus.profile=local. See docs/SECURITY.md.");
            }
        }
        switch (mode) {
            case OFF -> LOG.infof("gRPC authentication off (crossmodal.auth.enabled=false)%s",
                    clientCertificateRequired ? "; client certificates required (mutual TLS)" : "");
            case LOCAL_UNAUTHENTICATED -> LOG.warnf("gRPC authentication WAIVED (crossmodal.auth.allow-unauthenticated,"
                    + " local profile): any local process may call %s on %s", service, host);
            case REQUIRED -> LOG.infof("gRPC authentication required: %d bearer token(s)%s, %d allowed client"
                    + " certificate subject(s); grpc.health.v1 is open", tokens.size(),
                    auth.tokenFile().map(f -> " (file " + f + ")").orElse(""), allowedSubjects.size());
        }
    }

    public Mode mode() {
        return mode;
    }

    /** Whether calls (but health) need a verified client certificate (mutual TLS configured). */
    public boolean clientCertificateRequired() {
        return clientCertificateRequired;
    }

    /** Whether calls (but health) need a token or an allowed client certificate. */
    public boolean authenticationRequired() {
        return mode == Mode.REQUIRED;
    }

    boolean tokenAccepted(String token) {
        return tokens != null && tokens.matches(token);
    }

    boolean hasAllowedSubjects() {
        return !allowedSubjects.isEmpty();
    }

    boolean subjectAllowed(X500Principal subject) {
        return allowedSubjects.contains(subject.getName(X500Principal.CANONICAL));
    }

    /** {@code ;}- or newline-separated RFC 2253 names, in canonical form. */
    static Set<String> parseSubjects(String list) {
        return Arrays.stream(list.split("[;\\n]")).map(String::strip).filter(s -> !s.isEmpty()).map(s -> {
            try {
                return new X500Principal(s).getName(X500Principal.CANONICAL);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("crossmodal.auth.allowed-subjects: '" + s + "' is not a distinguished"
                        + " name (RFC 2253, e.g. CN=ci,O=crossmodal): " + e.getMessage());
            }
        }).collect(Collectors.toUnmodifiableSet());
    }

    public static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
