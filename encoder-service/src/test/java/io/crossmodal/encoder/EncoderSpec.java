package io.crossmodal.encoder;

import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.serving.common.testing.UnaryServiceSpec;
import java.util.List;

/** The Encoder for the shared service test contracts (tiny model: phonemes in). */
final class EncoderSpec extends UnaryServiceSpec<EncodeRequest, EncodeResponse> {
    EncoderSpec() {
        super(new Names("crossmodal.encoder.v1.Encoder", "crossmodal.decoder.v1.Decoder", "Encode", "crossmodal-encoder-models"),
                new Inputs(List.of("K", "AE", "T"), List.of("S", "EH"), "K"),
                EncoderGrpc.getEncodeMethod(), (model, tokens) -> EncodeRequest.newBuilder().setModel(model)
                        .setTokens(TokenSequence.newBuilder().addAllTokens(tokens)).build(),
                EncodeResponse::getModelName, EncodeResponse::getModelVersion, EncoderGrpc.getModelInfoMethod());
    }
}
