package io.crossmodal.decoder;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.serving.common.testing.GrpcTesting;
import io.crossmodal.serving.common.testing.MissingModelProfile;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A configured model that is not in the registry: not ready (503), but alive and serving the other models. */
@QuarkusTest
@TestProfile(MissingModelProfile.class)
class DecoderMissingModelTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void readinessIsDownWhileLivenessIsUp() {
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("status", is("DOWN"))
                .body("checks.find { it.name == 'crossmodal-decoder-models' }.status", is("DOWN"))
                .body("checks.find { it.name == 'crossmodal-decoder-models' }.data.'failed:nosuchmodel'",
                        containsString("nosuchmodel"))
                .body("checks.find { it.name == 'crossmodal-decoder-models' }.data.loaded", containsString("tiny/1"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }

    @Test
    void theLoadedModelIsStillServed() throws Exception {
        ManagedChannel channel = GrpcTesting.channel(base);
        try {
            assertEquals("tiny", DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .decode(DecodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("tiny"))
                            .setTokens(TokenSequence.newBuilder().addTokens("a")).build()).getModelName());
        } finally {
            GrpcTesting.close(channel);
        }
    }
}
