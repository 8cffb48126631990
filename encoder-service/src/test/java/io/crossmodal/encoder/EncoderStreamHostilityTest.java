package io.crossmodal.encoder;

import com.google.protobuf.InvalidProtocolBufferException;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.serving.common.testing.StreamHostilityContract;
import io.crossmodal.serving.common.testing.StreamLimitsProfile;
import io.crossmodal.serving.common.testing.StreamSpec;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.grpc.MethodDescriptor;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;

/** EncodeStream (and Encode) under hostile clients: {@link StreamHostilityContract}. */
@QuarkusTest
@TestProfile(StreamLimitsProfile.class)
@WithTestResource(TinyRegistryResource.class)
class EncoderStreamHostilityTest extends StreamHostilityContract {

    EncoderStreamHostilityTest() {
        super(new Spec());
    }

    static final class Spec implements StreamSpec {
        @Override
        public MethodDescriptor<?, ?> streamMethod() {
            return EncoderGrpc.getEncodeStreamMethod();
        }

        @Override
        public MethodDescriptor<?, ?> unaryMethod() {
            return EncoderGrpc.getEncodeMethod();
        }

        @Override
        public byte[] request(String requestId, ModelRef model, int beamWidth, int maxLength) {
            EncodeRequest.Builder b = EncodeRequest.newBuilder().setRequestId(requestId).setModel(model)
                    .setTokens(TokenSequence.newBuilder().addAllTokens(List.of("K", "AE", "T")));
            if (beamWidth > 0) {
                b.setBeamWidth(beamWidth);
            }
            if (maxLength > 0) {
                b.setMaxLength(maxLength);
            }
            return b.build().toByteArray();
        }

        @Override
        public byte[] invalidRequest(String requestId) {
            return EncodeRequest.newBuilder().setRequestId(requestId).setModel(ModelRef.newBuilder().setName("tiny"))
                    .setTokens(TokenSequence.newBuilder().addTokens("K").addTokens("Q")).build().toByteArray();
        }

        @Override
        public Reply reply(byte[] response) {
            try {
                EncodeResponse r = EncodeResponse.parseFrom(response);
                return new Reply(r.getRequestId(), r.hasError() ? r.getError().getCode() : "",
                        r.hasError() ? r.getError().getMessage() : "");
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("not an EncodeResponse", e);
            }
        }
    }
}
