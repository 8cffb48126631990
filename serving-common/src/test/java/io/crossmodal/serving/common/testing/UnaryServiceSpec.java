package io.crossmodal.serving.common.testing;

import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelRef;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A {@link ServiceSpec} built from data: the service's names, the tiny model's inputs and the generated method
 * descriptors, so that each service's spec is one constructor call instead of a copy of every method.
 *
 * @param <Q> the unary inference request type
 * @param <A> its response type
 */
public class UnaryServiceSpec<Q, A> implements ServiceSpec {

    /** Names of the service, the service it is not, its unary inference method and its readiness check. */
    public record Names(String service, String otherService, String method, String readinessCheck) {
    }

    /** Two valid inputs of the tiny model and one valid symbol. */
    public record Inputs(List<String> word, List<String> otherWord, String symbol) {
    }

    /** Generous: a spec call is a correctness check, and the machine may be loaded. */
    static final long DEADLINE_SECONDS = 30;

    private final Names names;
    private final Inputs inputs;
    private final MethodDescriptor<Q, A> infer;
    private final BiFunction<ModelRef.Builder, List<String>, Q> request;
    private final Function<A, String> modelName;
    private final Function<A, String> modelVersion;
    private final MethodDescriptor<ModelInfoRequest, ?> modelInfo;

    public UnaryServiceSpec(Names names, Inputs inputs, MethodDescriptor<Q, A> infer,
            BiFunction<ModelRef.Builder, List<String>, Q> request, Function<A, String> modelName,
            Function<A, String> modelVersion, MethodDescriptor<ModelInfoRequest, ?> modelInfo) {
        this.names = names;
        this.inputs = inputs;
        this.infer = infer;
        this.request = request;
        this.modelName = modelName;
        this.modelVersion = modelVersion;
        this.modelInfo = modelInfo;
    }

    private static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** The unary inference method (for raw-bytes calls of the hostile-input contract). */
    public MethodDescriptor<Q, A> inferMethod() {
        return infer;
    }

    public MethodDescriptor<ModelInfoRequest, ?> modelInfoMethod() {
        return modelInfo;
    }

    /** The typed request for {@code model} and {@code tokens}. */
    public Q request(ModelRef.Builder model, List<String> tokens) {
        return request.apply(model, tokens);
    }

    /** One unary inference call with the given request; throws StatusRuntimeException on failure. */
    public A call(ManagedChannel channel, Q q) {
        return ClientCalls.blockingUnaryCall(channel, infer, options(), q);
    }

    @Override
    public String service() {
        return names.service();
    }

    @Override
    public String otherService() {
        return names.otherService();
    }

    @Override
    public String method() {
        return names.method();
    }

    @Override
    public String readinessCheck() {
        return names.readinessCheck();
    }

    @Override
    public List<String> word() {
        return inputs.word();
    }

    @Override
    public List<String> otherWord() {
        return inputs.otherWord();
    }

    @Override
    public String symbol() {
        return inputs.symbol();
    }

    @Override
    public String infer(ManagedChannel channel, ModelRef.Builder model, List<String> tokens) {
        return modelName.apply(call(channel, request(model, tokens)));
    }

    @Override
    public void modelInfo(ManagedChannel channel, ModelRef.Builder model) {
        ClientCalls.blockingUnaryCall(channel, modelInfo, options(), ModelInfoRequest.newBuilder().setModel(model).build());
    }

    @Override
    public String inferVersion(ManagedChannel channel, ModelRef.Builder model, List<String> tokens) {
        return modelVersion.apply(call(channel, request(model, tokens)));
    }
}
