package io.crossmodal.security;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;

/**
 * Keeps hostile input from turning into answers a client cannot use; applied to every gRPC service
 * ({@link GlobalInterceptor}):
 * <ul>
 *   <li><b>Unreadable requests are INVALID_ARGUMENT.</b> A request message that does not parse (truncated or
 *       malformed protobuf, invalid UTF-8 in a string field) is dropped by the Vert.x gRPC server that Quarkus
 *       serves gRPC with here ({@code quarkus.grpc.server.use-separate-server=false}), and grpc-java's unary
 *       handler then answers INTERNAL "Half-closed without a request", as if the server had failed. For
 *       methods that take one request message, a call half-closed without one is answered here:
 *       INVALID_ARGUMENT, saying the request was missing or unreadable. (A plain grpc-java server closes such
 *       a call with INTERNAL itself, before any interceptor sees it.)</li>
 *   <li><b>Status descriptions fit in a header.</b> Messages echo parts of the request (an unknown model
 *       name, an unknown symbol); a multi-megabyte name made the {@code grpc-message} trailer exceed the
 *       client's header limit (8 KiB by default), and clients saw INTERNAL "RST_STREAM ... PROTOCOL_ERROR"
 *       instead of the real status. Descriptions are cut to {@value #MAX_DESCRIPTION_BYTES} bytes as sent
 *       (percent-encoded), keeping the code.</li>
 * </ul>
 * Requests larger than {@code quarkus.grpc.server.max-inbound-message-size} are answered RESOURCE_EXHAUSTED
 * by the Vert.x gRPC server itself, before any interceptor runs.
 */
@ApplicationScoped
@GlobalInterceptor
public class GrpcGuardInterceptor implements ServerInterceptor, Prioritized {

    /** Largest status description sent, in bytes of its percent-encoded form (the grpc-message trailer). */
    public static final int MAX_DESCRIPTION_BYTES = 2048;

    static final String UNREADABLE = "the request message is missing or could not be parsed (malformed protobuf, or"
            + " invalid UTF-8 in a string field)";

    @Override
    public int getPriority() {
        // inside the metrics interceptor (1_000_000), so the metrics see the statuses sent
        return 900_000;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        ServerCall<ReqT, RespT> guarded = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                super.close(limitDescription(status), trailers);
            }
        };
        ServerCall.Listener<ReqT> listener = next.startCall(guarded, headers);
        if (!call.getMethodDescriptor().getType().clientSendsOneMessage()) {
            return listener;
        }
        return new SimpleForwardingServerCallListener<>(listener) {
            private volatile boolean received;

            @Override
            public void onMessage(ReqT message) {
                received = true;
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!received) {
                    guarded.close(Status.INVALID_ARGUMENT.withDescription(UNREADABLE), new Metadata());
                    return;
                }
                super.onHalfClose();
            }
        };
    }

    /** {@code status} with its description cut to {@link #MAX_DESCRIPTION_BYTES} percent-encoded bytes. */
    static Status limitDescription(Status status) {
        String d = status.getDescription();
        if (d == null || d.length() <= MAX_DESCRIPTION_BYTES / 12 || encodedLength(d, d.length()) <= MAX_DESCRIPTION_BYTES) {
            return status;
        }
        String suffix = " ... (" + d.length() + " characters, cut)";
        int budget = MAX_DESCRIPTION_BYTES - suffix.length();
        int used = 0;
        int i = 0;
        while (i < d.length()) {
            int cp = d.codePointAt(i);
            int cost = cost(cp);
            if (used + cost > budget) {
                break;
            }
            used += cost;
            i += Character.charCount(cp);
        }
        return status.withDescription(d.substring(0, i) + suffix);
    }

    /** Bytes of the first {@code end} chars of {@code d} in grpc-message's percent-encoding. */
    private static int encodedLength(String d, int end) {
        int n = 0;
        for (int i = 0; i < end; ) {
            int cp = d.codePointAt(i);
            n += cost(cp);
            i += Character.charCount(cp);
        }
        return n;
    }

    /** grpc-message percent-encodes each UTF-8 byte outside printable ASCII (and '%') as %XX. */
    private static int cost(int cp) {
        return cp >= 0x20 && cp < 0x7F && cp != '%' ? 1 : cp < 0x80 ? 3 : cp < 0x800 ? 6 : cp < 0x10000 ? 9 : 12;
    }
}
