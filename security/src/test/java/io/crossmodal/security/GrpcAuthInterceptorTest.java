package io.crossmodal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The interceptor on an in-process server (no TLS): tokens, health exemption, metrics, messages. */
class GrpcAuthInterceptorTest {

    static final String TOKEN = "0123456789abcdef0123456789abcdef";

    static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static MethodDescriptor<String, String> method(String service) {
        return MethodDescriptor.<String, String>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Call"))
                .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();
    }

    static final MethodDescriptor<String, String> API = method("crossmodal.trainer.v1.Trainer");
    static final MethodDescriptor<String, String> HEALTH = method(GrpcAuthInterceptor.HEALTH);

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Server server;
    ManagedChannel channel;

    void start(AuthPolicy policy) throws IOException {
        String name = InProcessServerBuilder.generateName();
        GrpcAuthInterceptor interceptor = new GrpcAuthInterceptor(policy, registry);
        ServerServiceDefinition.Builder api = ServerServiceDefinition.builder("crossmodal.trainer.v1.Trainer")
                .addMethod(API, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext("hello " + GrpcAuthInterceptor.IDENTITY.get());
                    out.onCompleted();
                }));
        ServerServiceDefinition.Builder health = ServerServiceDefinition.builder(GrpcAuthInterceptor.HEALTH)
                .addMethod(HEALTH, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext("SERVING");
                    out.onCompleted();
                }));
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(api.build(), interceptor))
                .addService(ServerInterceptors.intercept(health.build(), interceptor)).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    String call(MethodDescriptor<String, String> m, String authorization) {
        var ch = io.grpc.ClientInterceptors.intercept(channel, headers(authorization));
        return ClientCalls.blockingUnaryCall(ch, m, io.grpc.CallOptions.DEFAULT, "x");
    }

    static io.grpc.ClientInterceptor headers(String authorization) {
        Metadata md = new Metadata();
        if (authorization != null) {
            md.put(GrpcAuthInterceptor.AUTHORIZATION, authorization);
        }
        return MetadataUtils.newAttachHeadersInterceptor(md);
    }

    Status.Code refused(String authorization, String messagePart) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(API, authorization));
        assertTrue(e.getStatus().getDescription().contains(messagePart), e.getStatus().toString());
        if (authorization != null && authorization.length() > 7) {
            assertFalse(e.getStatus().getDescription().contains(authorization.substring(7)),
                    "the message never echoes the credential");
        }
        return e.getStatus().getCode();
    }

    double failures(String reason) {
        var c = registry.find(GrpcAuthInterceptor.FAILURES).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void tokenRequired() throws IOException {
        start(AuthPolicyTest.policy(AuthPolicyTest.Auth.of(true, List.of(TOKEN), null, false), AuthPolicyTest.Tls.none(),
                "0.0.0.0"));
        assertEquals(Status.Code.UNAUTHENTICATED, refused(null, "authorization: Bearer <token>"));
        assertEquals(Status.Code.UNAUTHENTICATED, refused("Bearer wrong-token-0123456789", "invalid bearer token"));
        assertEquals(Status.Code.UNAUTHENTICATED, refused("Basic dXNlcjpwYXNz", "'Bearer <token>'"));
        assertEquals(Status.Code.UNAUTHENTICATED, refused("Bearer ", "'Bearer <token>'"));
        assertEquals("hello token", call(API, "Bearer " + TOKEN));
        assertEquals("hello token", call(API, "bearer " + TOKEN));
        assertEquals("SERVING", call(HEALTH, null), "health needs no credential");
        assertEquals(1, failures("missing_credentials"));
        assertEquals(1, failures("invalid_token"));
        assertEquals(2, failures("malformed_authorization"));
    }

    @Test
    void offAndLocalLetCallsThrough() throws IOException {
        start(AuthPolicyTest.policy(AuthPolicyTest.Auth.of(false, List.of(), null, false), AuthPolicyTest.Tls.none(),
                "0.0.0.0"));
        assertEquals("hello anonymous", call(API, null));
        stop();
        start(AuthPolicyTest.policy(AuthPolicyTest.Auth.of(true, List.of(), null, true), AuthPolicyTest.Tls.none(),
                "127.0.0.1"));
        assertEquals("hello anonymous", call(API, null));
    }

    @Test
    void mutualTlsWithoutCertificateIsRefused() throws IOException {
        // in-process transport: no TLS session, so no client certificate
        start(AuthPolicyTest.policy(AuthPolicyTest.Auth.of(false, List.of(), null, false), AuthPolicyTest.Tls.mutual(),
                "0.0.0.0"));
        assertEquals(Status.Code.UNAUTHENTICATED, refused(null, "client certificate"));
        assertEquals("SERVING", call(HEALTH, null));
        assertEquals(1, failures("client_certificate_missing"));
    }
}
