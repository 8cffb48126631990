package io.crossmodal.decoder;

import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.serving.common.testing.HttpEndpointsContract;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Decoder's HTTP endpoints, health and reflection (the checks live in {@link HttpEndpointsContract}). */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class DecoderHttpEndpointsTest extends HttpEndpointsContract {

    @Override
    protected String service() {
        return "crossmodal.decoder.v1.Decoder";
    }

    @Override
    protected String otherService() {
        return "crossmodal.encoder.v1.Encoder";
    }

    @Override
    protected String method() {
        return "Decode";
    }

    @Override
    protected String readinessCheck() {
        return "crossmodal-decoder-models";
    }

    @Override
    protected List<String> word() {
        return List.of("c", "a", "t");
    }

    @Override
    protected List<String> otherWord() {
        return List.of("s", "e");
    }

    @Override
    protected String symbol() {
        return "a";
    }

    private DecoderGrpc.DecoderBlockingStub stub() {
        return DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Override
    protected void infer(ModelRef.Builder model, List<String> tokens) {
        stub().decode(DecodeRequest.newBuilder().setModel(model).setTokens(TokenSequence.newBuilder().addAllTokens(tokens)).build());
    }

    @Override
    protected void modelInfo(ModelRef.Builder model) {
        stub().modelInfo(ModelInfoRequest.newBuilder().setModel(model).build());
    }
}
