package io.crossmodal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelInfoResponse;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The guard on an in-process server: calls without a request, and oversized status descriptions. */
class GrpcGuardInterceptorTest {

    Server server;
    ManagedChannel channel;

    /** Fails every Encode with a description that repeats the model name 1000 times; echoes ModelInfo. */
    static class Echo extends EncoderGrpc.EncoderImplBase {
        @Override
        public void encode(EncodeRequest request, StreamObserver<EncodeResponse> responses) {
            responses.onError(Status.NOT_FOUND.withDescription(request.getModel().getName().repeat(1000)).asRuntimeException());
        }

        @Override
        public void modelInfo(ModelInfoRequest request, StreamObserver<ModelInfoResponse> responses) {
            responses.onNext(ModelInfoResponse.newBuilder().setRequestId(request.getRequestId()).build());
            responses.onCompleted();
        }
    }

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(new Echo(), new GrpcGuardInterceptor())).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aCallHalfClosedWithoutItsRequestIsInvalidArgument() throws Exception {
        ClientCall<ModelInfoRequest, ModelInfoResponse> call = channel.newCall(EncoderGrpc.getModelInfoMethod(),
                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS));
        CompletableFuture<Status> closed = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(1);
        call.halfClose();
        Status status = closed.get(5, TimeUnit.SECONDS);
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
        assertEquals(GrpcGuardInterceptor.UNREADABLE, status.getDescription());
        // with its request, the call goes through
        assertEquals("r", EncoderGrpc.newBlockingStub(channel).modelInfo(ModelInfoRequest.newBuilder().setRequestId("r")
                .setModel(ModelRef.newBuilder().setName("m")).build()).getRequestId());
    }

    @Test
    void longDescriptionsAreCutToFitTheTrailer() {
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> EncoderGrpc.newBlockingStub(channel).encode(EncodeRequest.newBuilder()
                        .setModel(ModelRef.newBuilder().setName("\u00e9x")).build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), "the code is kept");
        String d = e.getStatus().getDescription();
        assertTrue(d.endsWith(" ... (2000 characters, cut)"), d);
        assertTrue(encodedLength(d) <= GrpcGuardInterceptor.MAX_DESCRIPTION_BYTES, "encoded " + encodedLength(d));
    }

    @Test
    void limitDescriptionKeepsShortOnesAndCountsEncodedBytes() {
        Status shortOne = Status.INVALID_ARGUMENT.withDescription("unknown symbol 'X' at position 2");
        assertSame(shortOne, GrpcGuardInterceptor.limitDescription(shortOne));
        Status noDescription = Status.NOT_FOUND;
        assertSame(noDescription, GrpcGuardInterceptor.limitDescription(noDescription));
        Status ascii = Status.NOT_FOUND.withDescription("a".repeat(GrpcGuardInterceptor.MAX_DESCRIPTION_BYTES));
        assertTrue(ascii == GrpcGuardInterceptor.limitDescription(ascii), "exactly the limit in ASCII is kept");
        Status over = Status.NOT_FOUND.withDescription("a".repeat(GrpcGuardInterceptor.MAX_DESCRIPTION_BYTES + 1));
        assertTrue(GrpcGuardInterceptor.limitDescription(over).getDescription().endsWith("characters, cut)"), "one more is cut");
        for (String unit : new String[] {"a", "%", "\u00e9", "\u20ac", "\ud83d\ude00", "\n"}) {
            Status cut = GrpcGuardInterceptor.limitDescription(Status.NOT_FOUND.withDescription(unit.repeat(5000)));
            assertTrue(encodedLength(cut.getDescription()) <= GrpcGuardInterceptor.MAX_DESCRIPTION_BYTES,
                    unit + ": " + encodedLength(cut.getDescription()));
            assertTrue(encodedLength(cut.getDescription()) > GrpcGuardInterceptor.MAX_DESCRIPTION_BYTES - 40, unit);
            assertTrue(cut.getDescription().startsWith(unit.repeat(10)), "cut at code point boundaries");
        }
    }

    /** The length of the grpc-message trailer for description d (percent-encoding as grpc-java does). */
    static int encodedLength(String d) {
        int n = 0;
        for (byte b : d.getBytes(StandardCharsets.UTF_8)) {
            n += b >= ' ' && b < '~' + 1 && b != '%' ? 1 : 3;
        }
        return n;
    }
}
