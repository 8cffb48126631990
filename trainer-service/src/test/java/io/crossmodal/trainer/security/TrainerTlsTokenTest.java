package io.crossmodal.trainer.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The Trainer API in production shape: TLS on (certificates generated at test time), bearer tokens required (a token
 * file with one hashed and one plain token). Calls go through the CLI's {@link ClientChannels}.
 */
@QuarkusTest
@TestProfile(TrainerTlsTokenTest.Profile.class)
class TrainerTlsTokenTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = TestPki.shared().serverTls(false);
            config.put("crossmodal.auth.token-file", TestPki.shared().tokenFile.toString());
            config.put("crossmodal.auth.allow-unauthenticated", "false");
            config.put("%test.crossmodal.auth.allow-unauthenticated", "false");
            return config;
        }
    }

    @TestHTTPResource(value = "/", tls = true)
    URL base;

    final TestPki pki = TestPki.shared();

    static StatusRuntimeException fails(Status.Code code, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), () -> "status " + e.getStatus());
        return e;
    }

    ListModelsRequest list() {
        return ListModelsRequest.getDefaultInstance();
    }

    ManagedChannel cli(String token) {
        return new ClientChannels("localhost:" + base.getPort(), false, pki.ca, null, null, token).open();
    }

    @Test
    void unauthenticatedAndWrongTokenAreRefused() throws Exception {
        ManagedChannel ch = cli(null);
        try {
            var e = fails(Status.Code.UNAUTHENTICATED, () -> TrainerGrpc.newBlockingStub(ch).listModels(list()));
            assertTrue(e.getStatus().getDescription().contains("authorization: Bearer <token>"), e.getStatus().toString());
            String wrong = pki.randomToken();
            var w = fails(Status.Code.UNAUTHENTICATED,
                    () -> TestChannels.withToken(TrainerGrpc.newBlockingStub(ch), wrong).listModels(list()));
            assertTrue(w.getStatus().getDescription().contains("invalid bearer token"), w.getStatus().toString());
            assertFalse(w.getStatus().getDescription().contains(wrong));
            // the hashed form in the file is not itself a token
            fails(Status.Code.UNAUTHENTICATED,
                    () -> TestChannels.withToken(TrainerGrpc.newBlockingStub(ch), TestPki.sha256(pki.token)).listModels(list()));
        } finally {
            TestChannels.close(ch);
        }
    }

    @Test
    void rightTokensAreAccepted() throws Exception {
        for (String token : new String[] {pki.token, pki.otherToken}) {
            ManagedChannel ch = cli(token);
            try {
                TrainerGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS).listModels(list());
            } finally {
                TestChannels.close(ch);
            }
        }
    }

    @Test
    void tlsWorksWithTheCaAndFailsWithoutIt() throws Exception {
        ManagedChannel defaultTrust = TestChannels.tlsDefaultTrust(base.getPort());
        ManagedChannel plaintext = TestChannels.plaintext(base.getPort());
        try {
            fails(Status.Code.UNAVAILABLE, () -> TestChannels.withToken(TrainerGrpc.newBlockingStub(defaultTrust), pki.token)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).listModels(list()));
            var e = assertThrows(StatusRuntimeException.class, () -> TestChannels.withToken(
                    TrainerGrpc.newBlockingStub(plaintext), pki.token).withDeadlineAfter(30, TimeUnit.SECONDS).listModels(list()));
            assertTrue(e.getStatus().getCode() != Status.Code.OK, "plaintext against the TLS port: " + e.getStatus());
        } finally {
            TestChannels.close(defaultTrust);
            TestChannels.close(plaintext);
        }
    }

    @Test
    void healthNeedsNoCredentialsAndRefusalsAreCounted() throws Exception {
        ManagedChannel ch = cli(null);
        try {
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
            fails(Status.Code.UNAUTHENTICATED, () -> TestChannels.withToken(TrainerGrpc.newBlockingStub(ch), pki.randomToken())
                    .listModels(list()));
        } finally {
            TestChannels.close(ch);
        }
        HttpResponse<String> ready = TestChannels.httpsGet(base.getPort(), pki.ca, "/q/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        HttpResponse<String> metrics = TestChannels.httpsGet(base.getPort(), pki.ca, "/q/metrics");
        assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith("crossmodal_grpc_auth_failures_total{")
                && l.contains("reason=\"invalid_token\"") && l.contains("grpc_method=\"ListModels\"")), metrics.body());
    }
}
