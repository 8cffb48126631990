package io.crossmodal.trainer.api;

import io.crossmodal.proto.trainer.v1.TrainerGrpc;
import io.crossmodal.serving.common.testing.GrpcTesting;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** What the Trainer API tests share: a plaintext channel to the test's Trainer service and its blocking stub, per test. */
abstract class TrainerApiClient {
    @TestHTTPResource("/")
    URL base;

    ManagedChannel channel;
    TrainerGrpc.TrainerBlockingStub trainer;

    @BeforeEach
    void connect() {
        channel = GrpcTesting.channel(base);
        trainer = TrainerGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTesting.close(channel);
    }
}
