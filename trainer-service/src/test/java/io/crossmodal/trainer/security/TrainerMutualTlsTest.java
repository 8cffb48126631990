package io.crossmodal.trainer.security;

import static io.crossmodal.trainer.security.TrainerTlsTokenTest.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.crossmodal.proto.trainer.v1.ListModelsRequest;
import io.crossmodal.proto.trainer.v1.TrainerGrpc;
import io.crossmodal.security.testing.TestChannels;
import io.crossmodal.security.testing.TestPki;
import io.crossmodal.trainer.cli.ClientChannels;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Trainer API with mutual TLS and client certificate identities instead of tokens: a certificate of the client
 * CA whose subject is allowed passes; no certificate or a certificate of another CA is UNAUTHENTICATED, another subject PERMISSION_DENIED; health stays open.
 */
@QuarkusTest
@TestProfile(TrainerMutualTlsTest.Profile.class)
class TrainerMutualTlsTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = TestPki.shared().serverTls(true);
            config.put("crossmodal.auth.allowed-subjects", TestPki.CLIENT_SUBJECT);
            config.put("crossmodal.auth.allow-unauthenticated", "false");
            config.put("%test.crossmodal.auth.allow-unauthenticated", "false");
            return config;
        }
    }

    @TestHTTPResource(value = "/", tls = true)
    URL base;

    final TestPki pki = TestPki.shared();

    ManagedChannel cli(TestPki.Pair client) {
        return new ClientChannels("localhost:" + base.getPort(), false, pki.ca, client == null ? null : client.cert(),
                client == null ? null : client.key(), null).open();
    }

    @Test
    void clientWithoutCertificateIsRefused() throws Exception {
        ManagedChannel ch = cli(null);
        try {
            var e = fails(Status.Code.UNAUTHENTICATED, () -> TrainerGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).listModels(ListModelsRequest.getDefaultInstance()));
            assertTrue(e.getStatus().getDescription().contains("client certificate"), e.getStatus().toString());
            // probes present no certificate: gRPC health and HTTPS /q/health still answer
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
        } finally {
            TestChannels.close(ch);
        }
        HttpResponse<String> ready = TestChannels.httpsGet(base.getPort(), pki.ca, "/q/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
    }

    @Test
    void allowedClientCertificateIsAccepted() throws Exception {
        ManagedChannel ch = cli(pki.client);
        try {
            TrainerGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS).listModels(ListModelsRequest.getDefaultInstance());
        } finally {
            TestChannels.close(ch);
        }
    }

    @Test
    void otherSubjectIsDeniedAndOtherCaIsRefused() throws Exception {
        ManagedChannel other = cli(pki.otherClient);
        ManagedChannel rogue = cli(pki.rogueClient);
        try {
            var e = fails(Status.Code.PERMISSION_DENIED, () -> TrainerGrpc.newBlockingStub(other)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).listModels(ListModelsRequest.getDefaultInstance()));
            assertTrue(e.getStatus().getDescription().contains("CN=other-client"), e.getStatus().toString());
            // the handshake names the accepted CA: the client has no certificate of it, presents none, and is
            // refused per call
            fails(Status.Code.UNAUTHENTICATED, () -> TrainerGrpc.newBlockingStub(rogue)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).listModels(ListModelsRequest.getDefaultInstance()));
        } finally {
            TestChannels.close(other);
            TestChannels.close(rogue);
        }
    }

    /** A certificate of another CA or an expired one, actually presented: the handshake refuses it (UNAVAILABLE). */
    @Test
    void presentedUntrustedOrExpiredCertificateFailsTheHandshake() throws Exception {
        for (TestPki.Pair bad : List.of(pki.rogueClient, pki.expiredClient)) {
            ManagedChannel ch = TestChannels.tlsPresenting(base.getPort(), pki.ca, bad);
            try {
                fails(Status.Code.UNAVAILABLE, () -> TrainerGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(30, TimeUnit.SECONDS).listModels(ListModelsRequest.getDefaultInstance()));
            } finally {
                TestChannels.close(ch);
            }
        }
        ManagedChannel good = TestChannels.tlsPresenting(base.getPort(), pki.ca, pki.client);
        try {
            TrainerGrpc.newBlockingStub(good).withDeadlineAfter(30, TimeUnit.SECONDS).listModels(ListModelsRequest.getDefaultInstance());
        } finally {
            TestChannels.close(good);
        }
    }
}
