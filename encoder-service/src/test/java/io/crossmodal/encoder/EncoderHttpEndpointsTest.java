package io.crossmodal.encoder;

import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.serving.common.testing.HttpEndpointsContract;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Encoder's HTTP endpoints, health and reflection (the checks live in {@link HttpEndpointsContract}). */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class EncoderHttpEndpointsTest extends HttpEndpointsContract {

    @Override
    protected String service() {
        return "crossmodal.encoder.v1.Encoder";
    }

    @Override
    protected String otherService() {
        return "crossmodal.decoder.v1.Decoder";
    }

    @Override
    protected String method() {
        return "Encode";
    }

    @Override
    protected String readinessCheck() {
        return "crossmodal-encoder-models";
    }

    @Override
    protected List<String> word() {
        return List.of("K", "AE", "T");
    }

    @Override
    protected List<String> otherWord() {
        return List.of("S", "EH");
    }

    @Override
    protected String symbol() {
        return "K";
    }

    private EncoderGrpc.EncoderBlockingStub stub() {
        return EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Override
    protected void infer(ModelRef.Builder model, List<String> tokens) {
        stub().encode(EncodeRequest.newBuilder().setModel(model).setTokens(TokenSequence.newBuilder().addAllTokens(tokens)).build());
    }

    @Override
    protected void modelInfo(ModelRef.Builder model) {
        stub().modelInfo(ModelInfoRequest.newBuilder().setModel(model).build());
    }
}
