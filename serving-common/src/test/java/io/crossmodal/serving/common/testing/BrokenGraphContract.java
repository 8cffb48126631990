package io.crossmodal.serving.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.serving.common.testing.TinyRegistryResource.GraphFault;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * A bundle whose checksums are all valid but whose ONNX graphs are broken (not ONNX), mis-shaped (another hidden
 * size, the right input names) or in the wrong place ({@link GraphFault}): a request for it is FAILED_PRECONDITION
 * with a message naming the model, every time (nothing half-loaded is kept and later served), and the service
 * keeps serving its other models and stays ready. Each service's
 * {@code @QuarkusTest @WithTestResource(TinyRegistryResource.class)} subclass passes its {@link ServiceSpec}.
 */
public abstract class BrokenGraphContract {

    @TestHTTPResource("/")
    URL base;

    private final ServiceSpec spec;

    protected BrokenGraphContract(ServiceSpec spec) {
        this.spec = spec;
    }

    @Test
    void validChecksumsOverBrokenGraphsAreFailedPreconditionAndNothingIsHalfLoaded() throws Exception {
        ManagedChannel channel = GrpcTesting.channel(base);
        try {
            for (GraphFault fault : GraphFault.values()) {
                // twice: a failed load must not leave a half-loaded model behind for the next request
                for (int attempt = 0; attempt < 2; attempt++) {
                    StatusRuntimeException e = GrpcTesting.fails(Status.Code.FAILED_PRECONDITION,
                            () -> spec.infer(channel, ModelRef.newBuilder().setName(fault.model), spec.word()));
                    String message = e.getStatus().getDescription();
                    assertTrue(message != null && message.contains(fault.model), fault + ": " + e.getStatus());
                }
                GrpcTesting.fails(Status.Code.FAILED_PRECONDITION,
                        () -> spec.modelInfo(channel, ModelRef.newBuilder().setName(fault.model)));
            }
            // the service keeps serving and stays ready; none of the faulty bundles counts as loaded
            assertEquals("tiny", spec.infer(channel, ModelRef.newBuilder().setName("tiny"), spec.word()));
            HttpResponse<String> ready = GrpcTesting.readiness(base);
            assertEquals(200, ready.statusCode(), ready.body());
            for (GraphFault fault : GraphFault.values()) {
                assertFalse(ready.body().contains(fault.model + "/"), ready.body());
            }
        } finally {
            GrpcTesting.close(channel);
        }
    }
}
