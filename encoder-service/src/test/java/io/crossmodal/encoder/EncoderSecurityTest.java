package io.crossmodal.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.security.testing.TestChannels;
import io.crossmodal.security.testing.TestPki;
import io.crossmodal.serving.common.testing.PythonClient;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An inference service with everything switched on: TLS, mutual TLS (client CA) and authentication
 * ({@code crossmodal.auth.enabled=true}, a token file), certificates generated at test time. Calls need a client
 * certificate and a token; health (gRPC and HTTPS) needs neither, as Kubernetes probes have none. The Python client
 * connects with --tls-ca / --tls-cert / --tls-key / --token-file.
 */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
@TestProfile(EncoderSecurityTest.Profile.class)
class EncoderSecurityTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = TestPki.shared().serverTls(true);
            config.put("crossmodal.auth.enabled", "true");
            config.put("crossmodal.auth.token-file", TestPki.shared().tokenFile.toString());
            return config;
        }
    }

    @TestHTTPResource(value = "/", tls = true)
    URL base;

    final TestPki pki = TestPki.shared();

    static final ModelInfoRequest INFO = ModelInfoRequest.newBuilder().setModel(ModelRef.newBuilder().setName("tiny")).build();

    static Status.Code code(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }

    @Test
    void callsNeedTokenAndClientCertificate() throws Exception {
        ManagedChannel mutual = TestChannels.tls(base.getPort(), pki.ca, pki.client);
        ManagedChannel serverOnly = TestChannels.tls(base.getPort(), pki.ca, null);
        try {
            var stub = EncoderGrpc.newBlockingStub(mutual).withDeadlineAfter(30, TimeUnit.SECONDS);
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.modelInfo(INFO));
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("Bearer"), e.getStatus().toString());
            assertEquals(Status.Code.UNAUTHENTICATED, code(() -> TestChannels.withToken(stub, pki.randomToken()).modelInfo(INFO)));
            assertEquals("tiny", TestChannels.withToken(stub, pki.token).modelInfo(INFO).getResolved().getName());
            // a token alone does not replace the client certificate
            assertEquals(Status.Code.UNAUTHENTICATED, code(() -> TestChannels.withToken(
                    EncoderGrpc.newBlockingStub(serverOnly).withDeadlineAfter(30, TimeUnit.SECONDS), pki.token).modelInfo(INFO)));
        } finally {
            TestChannels.close(mutual);
            TestChannels.close(serverOnly);
        }
    }

    /**
     * A client that presents a certificate of another CA, or an expired one of the trusted CA, is refused by the
     * TLS handshake itself (UNAVAILABLE, before any call or token is looked at); the same client code with the valid
     * certificate gets through, so the refusals are the certificates' doing.
     */
    @Test
    void untrustedAndExpiredClientCertificatesAreRefusedAtTheHandshake() throws Exception {
        for (TestPki.Pair bad : List.of(pki.rogueClient, pki.expiredClient)) {
            ManagedChannel ch = TestChannels.tlsPresenting(base.getPort(), pki.ca, bad);
            try {
                var stub = TestChannels.withToken(EncoderGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS), pki.token);
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.modelInfo(INFO));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), bad.cert() + ": " + e.getStatus());
            } finally {
                TestChannels.close(ch);
            }
        }
        ManagedChannel good = TestChannels.tlsPresenting(base.getPort(), pki.ca, pki.client);
        try {
            assertEquals("tiny", TestChannels.withToken(EncoderGrpc.newBlockingStub(good).withDeadlineAfter(30, TimeUnit.SECONDS),
                    pki.token).modelInfo(INFO).getResolved().getName());
        } finally {
            TestChannels.close(good);
        }
    }

    @Test
    void healthStaysUsableForProbesAndRefusalsAreCounted() throws Exception {
        ManagedChannel ch = TestChannels.tls(base.getPort(), pki.ca, null);
        try {
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
            assertEquals(Status.Code.UNAUTHENTICATED, code(() -> EncoderGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).modelInfo(INFO)));
        } finally {
            TestChannels.close(ch);
        }
        HttpResponse<String> live = TestChannels.httpsGet(base.getPort(), pki.ca, "/q/health/live");
        assertEquals(200, live.statusCode(), live.body());
        HttpResponse<String> metrics = TestChannels.httpsGet(base.getPort(), pki.ca, "/q/metrics");
        assertEquals(200, metrics.statusCode());
        // the refusal is counted by reason, and as a call by the serving metrics (outer interceptor)
        assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith("crossmodal_grpc_auth_failures_total{")
                && l.contains("reason=\"client_certificate_missing\"") && l.contains("grpc_method=\"ModelInfo\"")),
                metrics.body());
        assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith("crossmodal_grpc_server_requests_total{")
                && l.contains("grpc_code=\"UNAUTHENTICATED\"") && l.contains("grpc_method=\"ModelInfo\"")),
                metrics.body());
    }

    @Test
    void pythonClientConnectsWithMutualTlsAndToken() throws Exception {
        String output = PythonClient.check(Path.of("target", "python-client-tls"), 180,
                "--encoder", "localhost:" + base.getPort(), "--model", "tiny",
                "--tls-ca", pki.ca.toString(), "--tls-cert", pki.client.cert().toString(),
                "--tls-key", pki.client.key().toString(), "--token-file", pki.clientTokenFile.toString());
        assertTrue(output.contains("ok   crossmodal.encoder.v1.Encoder Encode"), output);
    }
}
