package io.crossmodal.serving.common.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.crossmodal.proto.common.v1.ModelRef;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A configured model that is not in the registry: not ready (503), but alive and serving the other
 * models. Each service's {@code @QuarkusTest @TestProfile(MissingModelProfile.class)} subclass passes
 * its {@link ServiceSpec}.
 */
public abstract class MissingModelContract {

    @TestHTTPResource("/")
    URL base;

    private final ServiceSpec spec;

    protected MissingModelContract(ServiceSpec spec) {
        this.spec = spec;
    }

    @Test
    void readinessIsDownWhileLivenessIsUp() {
        String check = "checks.find { it.name == '" + spec.readinessCheck() + "' }";
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("status", is("DOWN"))
                .body(check + ".status", is("DOWN"))
                .body(check + ".data.'failed:nosuchmodel'", containsString("nosuchmodel"))
                .body(check + ".data.loaded", containsString("tiny/1"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }

    @Test
    void theLoadedModelIsStillServed() throws Exception {
        ManagedChannel channel = GrpcTesting.channel(base);
        try {
            assertEquals("tiny", spec.infer(channel, ModelRef.newBuilder().setName("tiny"), List.of(spec.symbol())));
        } finally {
            GrpcTesting.close(channel);
        }
    }
}
