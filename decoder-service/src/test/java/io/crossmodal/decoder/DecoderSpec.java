package io.crossmodal.decoder;

import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.serving.common.testing.ServiceSpec;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Decoder for the shared service test contracts (tiny model: graphemes in). */
final class DecoderSpec implements ServiceSpec {
    @Override
    public String service() {
        return "crossmodal.decoder.v1.Decoder";
    }

    @Override
    public String otherService() {
        return "crossmodal.encoder.v1.Encoder";
    }

    @Override
    public String method() {
        return "Decode";
    }

    @Override
    public String readinessCheck() {
        return "crossmodal-decoder-models";
    }

    @Override
    public List<String> word() {
        return List.of("c", "a", "t");
    }

    @Override
    public List<String> otherWord() {
        return List.of("s", "e");
    }

    @Override
    public String symbol() {
        return "a";
    }

    private static DecoderGrpc.DecoderBlockingStub stub(ManagedChannel channel) {
        return DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Override
    public String infer(ManagedChannel channel, ModelRef.Builder model, List<String> tokens) {
        return stub(channel).decode(DecodeRequest.newBuilder().setModel(model)
                .setTokens(TokenSequence.newBuilder().addAllTokens(tokens)).build()).getModelName();
    }

    @Override
    public void modelInfo(ManagedChannel channel, ModelRef.Builder model) {
        stub(channel).modelInfo(ModelInfoRequest.newBuilder().setModel(model).build());
    }

    @Override
    public String inferVersion(ManagedChannel channel, ModelRef.Builder model, List<String> tokens) {
        return stub(channel).decode(DecodeRequest.newBuilder().setModel(model)
                .setTokens(TokenSequence.newBuilder().addAllTokens(tokens)).build()).getModelVersion();
    }
}
