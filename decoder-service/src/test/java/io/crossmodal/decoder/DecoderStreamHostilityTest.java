package io.crossmodal.decoder;

import com.google.protobuf.InvalidProtocolBufferException;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.Beam;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.serving.common.testing.StreamHostilityContract;
import io.crossmodal.serving.common.testing.StreamLimitsProfile;
import io.crossmodal.serving.common.testing.StreamSpec;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.grpc.MethodDescriptor;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;

/** DecodeStream (and Decode) under hostile clients: {@link StreamHostilityContract}. */
@QuarkusTest
@TestProfile(StreamLimitsProfile.class)
@WithTestResource(TinyRegistryResource.class)
class DecoderStreamHostilityTest extends StreamHostilityContract {

    DecoderStreamHostilityTest() {
        super(new Spec());
    }

    static final class Spec implements StreamSpec {
        @Override
        public MethodDescriptor<?, ?> streamMethod() {
            return DecoderGrpc.getDecodeStreamMethod();
        }

        @Override
        public MethodDescriptor<?, ?> unaryMethod() {
            return DecoderGrpc.getDecodeMethod();
        }

        @Override
        public byte[] request(String requestId, ModelRef model, int beamWidth, int maxLength) {
            DecodeRequest.Builder b = DecodeRequest.newBuilder().setRequestId(requestId).setModel(model)
                    .setTokens(TokenSequence.newBuilder().addAllTokens(List.of("c", "a", "t")));
            b.setBeam(beamWidth > 0 ? Beam.newBuilder().setWidth(beamWidth).build() : Beam.getDefaultInstance());
            if (maxLength > 0) {
                b.setMaxLength(maxLength);
            }
            return b.build().toByteArray();
        }

        @Override
        public byte[] invalidRequest(String requestId) {
            return DecodeRequest.newBuilder().setRequestId(requestId).setModel(ModelRef.newBuilder().setName("tiny"))
                    .setTokens(TokenSequence.newBuilder().addTokens("c").addTokens("Q")).build().toByteArray();
        }

        @Override
        public Reply reply(byte[] response) {
            try {
                DecodeResponse r = DecodeResponse.parseFrom(response);
                return new Reply(r.getRequestId(), r.hasError() ? r.getError().getCode() : "",
                        r.hasError() ? r.getError().getMessage() : "");
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("not a DecodeResponse", e);
            }
        }
    }
}
