package io.crossmodal.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jboss.logging.Logger;

/**
 * Authenticates every gRPC call of the service ({@link GlobalInterceptor}) as {@link AuthPolicy} says, before the
 * service sees it. {@code grpc.health.v1.Health} is never checked (Kubernetes probes carry no credentials); every
 * other service, gRPC reflection included, is.
 * <ol>
 *   <li>Mutual TLS configured: a call without a verified client certificate is UNAUTHENTICATED.</li>
 *   <li>Authentication required: metadata {@code authorization: Bearer <token>} with an accepted token passes; a
 *       malformed header or an unknown token is UNAUTHENTICATED (a wrong token is not retried as a certificate).
 *       Without the header, a client certificate whose subject is allowed passes, one whose subject is not is
 *       PERMISSION_DENIED; no credential at all is UNAUTHENTICATED.</li>
 * </ol>
 * Refusals carry a message saying what to send, are counted in {@value #FAILURES} (tags {@code grpc_service},
 * {@code grpc_method}, {@code grpc_code}, {@code reason}; Prometheus {@code crossmodal_grpc_auth_failures_total}) and
 * logged at DEBUG without any credential. The caller's identity is put in the call's {@link Context} ({@link #IDENTITY}).
 * Priority: inside the serving metrics interceptor (1,000,000), so refusals also count as calls there, and outside
 * the request guard (900,000).
 */
@ApplicationScoped
@GlobalInterceptor
public class GrpcAuthInterceptor implements ServerInterceptor, Prioritized {

    private static final Logger LOG = Logger.getLogger(GrpcAuthInterceptor.class);

    public static final String FAILURES = "crossmodal.grpc.auth.failures";
    static final String HEALTH = "grpc.health.v1.Health";
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** Who made the call: {@code token}, {@code subject:<DN>}, or {@code anonymous} (authentication off or waived). */
    public static final Context.Key<String> IDENTITY = Context.key("crossmodal.identity");

    private final AuthPolicy policy;
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public GrpcAuthInterceptor(AuthPolicy policy, MeterRegistry registry) {
        this.policy = policy;
        this.registry = registry;
    }

    @Override
    public int getPriority() {
        return 950_000;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        if (HEALTH.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        X509Certificate peer = policy.clientCertificateRequired() || policy.hasAllowedSubjects() ? peerCertificate(call) : null;
        if (policy.clientCertificateRequired() && peer == null) {
            return refuse(call, Status.UNAUTHENTICATED, "client_certificate_missing", "this server requires a client"
                    + " certificate (mutual TLS): connect with a certificate issued by its client CA");
        }
        if (!policy.authenticationRequired()) {
            return proceed(call, headers, next, "anonymous");
        }
        String authorization = headers.get(AUTHORIZATION);
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.substring(7).isBlank()) {
                return refuse(call, Status.UNAUTHENTICATED, "malformed_authorization",
                        "the authorization metadata must be 'Bearer <token>'");
            }
            if (policy.tokenAccepted(authorization.substring(7).strip())) {
                return proceed(call, headers, next, "token");
            }
            return refuse(call, Status.UNAUTHENTICATED, "invalid_token", "invalid bearer token (not one of the"
                    + " service's accepted tokens)");
        }
        if (peer != null && policy.hasAllowedSubjects()) {
            if (policy.subjectAllowed(peer.getSubjectX500Principal())) {
                return proceed(call, headers, next, "subject:" + peer.getSubjectX500Principal().getName());
            }
            return refuse(call, Status.PERMISSION_DENIED, "subject_not_allowed", "client certificate subject '"
                    + peer.getSubjectX500Principal().getName() + "' is not allowed (crossmodal.auth.allowed-subjects);"
                    + " use an allowed certificate or a bearer token");
        }
        return refuse(call, Status.UNAUTHENTICATED, "missing_credentials", "authentication required: send metadata"
                + " 'authorization: Bearer <token>'" + (policy.hasAllowedSubjects()
                        ? " or connect with an allowed client certificate" : ""));
    }

    private static <ReqT, RespT> ServerCall.Listener<ReqT> proceed(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next, String identity) {
        return Contexts.interceptCall(Context.current().withValue(IDENTITY, identity), call, headers, next);
    }

    private <ReqT, RespT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, RespT> call, Status status, String reason,
            String message) {
        String service = call.getMethodDescriptor().getServiceName();
        String method = call.getMethodDescriptor().getBareMethodName();
        counter(service, method, status.getCode(), reason).increment();
        if (LOG.isDebugEnabled()) {
            LOG.debugf("refused %s/%s from %s: %s (%s)", service, method,
                    call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), status.getCode(), reason);
        }
        call.close(status.withDescription(message), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    private Counter counter(String service, String method, Status.Code code, String reason) {
        String key = service + '/' + method + '/' + code + '/' + reason;
        return counters.computeIfAbsent(key, k -> Counter.builder(FAILURES)
                .description("gRPC calls refused by authentication (UNAUTHENTICATED, PERMISSION_DENIED), by reason")
                .tag("grpc_service", service == null ? "" : service)
                .tag("grpc_method", method == null ? "" : method)
                .tag("grpc_code", code.name())
                .tag("reason", reason.toLowerCase(Locale.ROOT))
                .register(registry));
    }

    /** The client's verified certificate, or null (plaintext, or no certificate presented). */
    static X509Certificate peerCertificate(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
