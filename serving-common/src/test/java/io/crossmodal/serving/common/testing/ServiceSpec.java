package io.crossmodal.serving.common.testing;

import io.crossmodal.proto.common.v1.ModelRef;
import io.grpc.ManagedChannel;
import java.util.List;

/**
 * What the shared service test contracts need to know about one inference service: its names,
 * valid inputs of the tiny test model, and how to call it. One implementation per service.
 */
public interface ServiceSpec {
    /** Full gRPC service name, e.g. {@code crossmodal.decoder.v1.Decoder}. */
    String service();

    /** The other inference service, which this server does not serve. */
    String otherService();

    /** The unary inference method, e.g. {@code Decode}. */
    String method();

    /** Name of the service's readiness check. */
    String readinessCheck();

    /** A valid input of the tiny model, a second one, and one valid symbol. */
    List<String> word();

    List<String> otherWord();

    String symbol();

    /** One unary inference call; returns the answering model's name, throws StatusRuntimeException on failure. */
    String infer(ManagedChannel channel, ModelRef.Builder model, List<String> tokens);

    void modelInfo(ManagedChannel channel, ModelRef.Builder model);

    /** One unary inference call; returns the answering model version, throws StatusRuntimeException on failure. */
    String inferVersion(ManagedChannel channel, ModelRef.Builder model, List<String> tokens);
}
