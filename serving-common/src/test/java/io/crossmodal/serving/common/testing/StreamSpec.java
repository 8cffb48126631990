package io.crossmodal.serving.common.testing;

import io.crossmodal.proto.common.v1.ModelRef;
import io.grpc.MethodDescriptor;

/**
 * What {@link StreamHostilityContract} needs to know about one inference service's bulk stream and its
 * unary twin, in raw bytes (so the contract can also send what a generated stub never sends). One
 * implementation per service, against the tiny test model ({@link TinyRegistryResource}).
 */
public interface StreamSpec {

    /** The bulk stream RPC, e.g. {@code DecoderGrpc.getDecodeStreamMethod()}. */
    MethodDescriptor<?, ?> streamMethod();

    /** The unary inference RPC, e.g. {@code DecoderGrpc.getDecodeMethod()}. */
    MethodDescriptor<?, ?> unaryMethod();

    /**
     * A valid request for the tiny model (beam search).
     *
     * @param beamWidth 0 = the service's default
     * @param maxLength 0 = the service's default
     */
    byte[] request(String requestId, ModelRef model, int beamWidth, int maxLength);

    /** A well-formed request the model rejects (an unknown symbol): INVALID_ARGUMENT for this request only. */
    byte[] invalidRequest(String requestId);

    /** The response's request id, error code ("" when it succeeded) and error message. */
    Reply reply(byte[] response);

    record Reply(String requestId, String errorCode, String errorMessage) {
        public boolean ok() {
            return errorCode.isEmpty();
        }
    }
}
