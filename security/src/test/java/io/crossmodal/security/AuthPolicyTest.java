package io.crossmodal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

/** The startup decisions: never open by accident. */
class AuthPolicyTest {

    static final String TOKEN = "0123456789abcdef0123";

    record Auth(boolean enabled, Optional<String> tokenFile, Optional<List<String>> tokens, Optional<String> allowedSubjects,
            boolean allowUnauthenticated, Duration tokenFileCheckInterval) implements AuthConfig {
        static Auth of(boolean enabled, List<String> tokens, String subjects, boolean local) {
            return new Auth(enabled, Optional.empty(), Optional.of(tokens), Optional.ofNullable(subjects), local,
                    Duration.ofSeconds(10));
        }
    }

    record Tls(Optional<String> cert, Optional<String> key, Optional<String> clientCa, TlsSettings.ClientAuthMode clientAuth,
            Optional<Duration> reloadPeriod) implements TlsSettings {
        static Tls none() {
            return new Tls(Optional.empty(), Optional.empty(), Optional.empty(), TlsSettings.ClientAuthMode.REQUEST, Optional.empty());
        }

        static Tls mutual() {
            return new Tls(Optional.of("c.pem"), Optional.of("k.pem"), Optional.of("ca.pem"), TlsSettings.ClientAuthMode.REQUEST,
                    Optional.empty());
        }
    }

    static AuthPolicy policy(Auth auth, Tls tls, String host) {
        return new AuthPolicy(auth, tls, "crossmodal-trainer", host);
    }

    @Test
    void requiredWithoutCredentialsRefusesToStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> policy(Auth.of(true, List.of(), null, false), Tls.none(), "0.0.0.0"));
        assertTrue(e.getMessage().contains("crossmodal.auth.token-file"), e.getMessage());
        assertTrue(e.getMessage().contains("quarkus.profile=local"), e.getMessage());
    }

    @Test
    void unauthenticatedOnlyOnLoopback() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> policy(Auth.of(true, List.of(), null, true), Tls.none(), "0.0.0.0"));
        assertTrue(e.getMessage().contains("loopback"), e.getMessage());
        assertEquals(AuthPolicy.Mode.LOCAL_UNAUTHENTICATED,
                policy(Auth.of(true, List.of(), null, true), Tls.none(), "127.0.0.1").mode());
        assertEquals(AuthPolicy.Mode.LOCAL_UNAUTHENTICATED,
                policy(Auth.of(true, List.of(), null, true), Tls.none(), "localhost").mode());
    }

    @Test
    void tokensOrSubjectsMakeItRequired() {
        AuthPolicy p = policy(Auth.of(true, List.of(TOKEN), null, false), Tls.none(), "0.0.0.0");
        assertEquals(AuthPolicy.Mode.REQUIRED, p.mode());
        assertTrue(p.tokenAccepted(TOKEN));
        AuthPolicy s = policy(Auth.of(true, List.of(), "CN=ci, O=crossmodal ; cn=other,o=x", false), Tls.mutual(), "0.0.0.0");
        assertEquals(AuthPolicy.Mode.REQUIRED, s.mode());
        assertTrue(s.clientCertificateRequired());
        assertTrue(s.subjectAllowed(new X500Principal("CN=ci,O=crossmodal")));
        assertTrue(s.subjectAllowed(new X500Principal("CN=Other,O=X")));
    }

    @Test
    void subjectsNeedMutualTls() {
        assertThrows(IllegalStateException.class, () -> policy(Auth.of(true, List.of(), "CN=ci", false), Tls.none(), "0.0.0.0"));
        assertThrows(IllegalStateException.class,
                () -> policy(Auth.of(true, List.of(TOKEN), "not a dn", false), Tls.mutual(), "0.0.0.0"));
    }

    @Test
    void inferenceDefaultIsOff() {
        assertEquals(AuthPolicy.Mode.OFF, policy(Auth.of(false, List.of(), null, false), Tls.none(), "0.0.0.0").mode());
    }
}
