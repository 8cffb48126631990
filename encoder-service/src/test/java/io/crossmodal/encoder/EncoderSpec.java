package io.crossmodal.encoder;

import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.serving.common.testing.ServiceSpec;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Encoder for the shared service test contracts (tiny model: phonemes in). */
final class EncoderSpec implements ServiceSpec {
    @Override
    public String service() {
        return "crossmodal.encoder.v1.Encoder";
    }

    @Override
    public String otherService() {
        return "crossmodal.decoder.v1.Decoder";
    }

    @Override
    public String method() {
        return "Encode";
    }

    @Override
    public String readinessCheck() {
        return "crossmodal-encoder-models";
    }

    @Override
    public List<String> word() {
        return List.of("K", "AE", "T");
    }

    @Override
    public List<String> otherWord() {
        return List.of("S", "EH");
    }

    @Override
    public String symbol() {
        return "K";
    }

    private static EncoderGrpc.EncoderBlockingStub stub(ManagedChannel channel) {
        return EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Override
    public String infer(ManagedChannel channel, ModelRef.Builder model, List<String> tokens) {
        return stub(channel).encode(EncodeRequest.newBuilder().setModel(model)
                .setTokens(TokenSequence.newBuilder().addAllTokens(tokens)).build()).getModelName();
    }

    @Override
    public void modelInfo(ManagedChannel channel, ModelRef.Builder model) {
        stub(channel).modelInfo(ModelInfoRequest.newBuilder().setModel(model).build());
    }

    @Override
    public String inferVersion(ManagedChannel channel, ModelRef.Builder model, List<String> tokens) {
        return stub(channel).encode(EncodeRequest.newBuilder().setModel(model)
                .setTokens(TokenSequence.newBuilder().addAllTokens(tokens)).build()).getModelVersion();
    }
}
