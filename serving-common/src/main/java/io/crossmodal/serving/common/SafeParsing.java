package io.crossmodal.serving.common;

import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Makes a message that is not the RPC's protobuf reach a stream's observer as {@code null} instead of an
 * exception. The Vert.x gRPC bridge (Quarkus' server on the shared HTTP port) turns a request that fails
 * to parse inside a client or bidi stream into a silent cancel: the client never gets a status and waits
 * for its deadline. With this marshaller {@link OrderedStream} sees {@code null}, answers what it holds and
 * ends the stream with INVALID_ARGUMENT. Unary methods keep the server's own handling (INVALID_ARGUMENT).
 */
public final class SafeParsing {

    private static final Logger LOG = Logger.getLogger(SafeParsing.class);

    private SafeParsing() {
    }

    /** The service with the request marshaller of its streaming methods made null-on-failure. */
    public static ServerServiceDefinition wrap(ServerServiceDefinition service) {
        ServiceDescriptor old = service.getServiceDescriptor();
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(old.getName())
                .setSchemaDescriptor(old.getSchemaDescriptor());
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            ServerMethodDefinition<?, ?> safe = m.getMethodDescriptor().getType().clientSendsOneMessage() ? m : safe(m);
            methods.add(safe);
            descriptor.addMethod(safe.getMethodDescriptor());
        }
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(b::addMethod);
        return b.build();
    }

    private static <Q, A> ServerMethodDefinition<Q, A> safe(ServerMethodDefinition<Q, A> m) {
        MethodDescriptor<Q, A> d = m.getMethodDescriptor();
        MethodDescriptor.Marshaller<Q> parser = d.getRequestMarshaller();
        MethodDescriptor.Marshaller<Q> safe = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(Q value) {
                return parser.stream(value);
            }

            @Override
            public Q parse(InputStream stream) {
                try {
                    return parser.parse(stream);
                } catch (RuntimeException e) {
                    LOG.debugf("%s: a message that does not parse: %s", d.getFullMethodName(), e.toString());
                    return null;
                }
            }
        };
        return ServerMethodDefinition.create(d.toBuilder(safe, d.getResponseMarshaller()).build(), m.getServerCallHandler());
    }
}
