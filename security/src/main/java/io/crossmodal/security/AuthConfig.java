package io.crossmodal.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/**
 * {@code crossmodal.auth.*}: who may call the gRPC API of a service (docs/SECURITY.md). Secrets are never
 * values in application.properties or manifests: tokens come from a file (a mounted Kubernetes Secret) or
 * from the environment.
 */
@ConfigMapping(prefix = "crossmodal.auth")
public interface AuthConfig {

    /**
     * Whether every gRPC call (except grpc.health.v1) must authenticate. Secure by default: the trainer keeps
     * the default; the inference services set {@code false} in their application.properties.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * A file of accepted bearer tokens, one per line: the token itself, or {@code sha256:<64 hex digits>} of it
     * (so the file need not hold the secret); blank lines and lines starting with {@code #} are ignored. Re-read
     * when it changes (Kubernetes updates mounted Secrets in place). Env {@code CROSSMODAL_AUTH_TOKEN_FILE}.
     */
    Optional<String> tokenFile();

    /**
     * Accepted bearer tokens given directly, comma-separated, same forms as in the file; meant for the
     * environment ({@code CROSSMODAL_AUTH_TOKENS}, e.g. from a Secret with {@code envFrom}), never for a
     * properties file.
     */
    Optional<List<String>> tokens();

    /**
     * Client certificate subjects (RFC 2253 distinguished names, e.g. {@code CN=ci,O=crossmodal}) accepted as an
     * identity instead of a token; separated by {@code ;} (a DN holds commas). Compared in canonical form
     * (case and spacing do not matter). Needs mutual TLS ({@code crossmodal.tls.client-ca}).
     */
    Optional<String> allowedSubjects();

    /**
     * Lets the API run without any credential. Only for the {@code local} profile (quickstart, tests): refused
     * at startup unless the server is bound to a loopback address ({@code quarkus.http.host}).
     */
    @WithDefault("false")
    boolean allowUnauthenticated();

    /** How often, at most, the token file's modification time is checked. */
    @WithDefault("10s")
    java.time.Duration tokenFileCheckInterval();
}
