package io.crossmodal.decoder;

import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.serving.common.testing.UnaryServiceSpec;
import java.util.List;

/** The Decoder for the shared service test contracts (tiny model: graphemes in). */
final class DecoderSpec extends UnaryServiceSpec<DecodeRequest, DecodeResponse> {
    DecoderSpec() {
        super(new Names("crossmodal.decoder.v1.Decoder", "crossmodal.encoder.v1.Encoder", "Decode", "crossmodal-decoder-models"),
                new Inputs(List.of("c", "a", "t"), List.of("s", "e"), "a"),
                DecoderGrpc.getDecodeMethod(), (model, tokens) -> DecodeRequest.newBuilder().setModel(model)
                        .setTokens(TokenSequence.newBuilder().addAllTokens(tokens)).build(),
                DecodeResponse::getModelName, DecodeResponse::getModelVersion, DecoderGrpc.getModelInfoMethod());
    }
}
