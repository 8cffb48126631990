package io.crossmodal.serving.common.metrics;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records every gRPC call of the server in {@link ServingMetrics}: one count by status code (and a failure
 * count when not OK) and the latency from the call's arrival to its status, tagged with the service, the
 * method, the code and the model / version of the call. The model comes, in this order of preference, from
 * what the service code reported ({@link CallModel}), from the response ({@code model_name} and
 * {@code model_version}, or a {@code resolved} ModelVersion, as in EncodeResponse / DecodeResponse /
 * ModelInfoResponse), and from the request's {@code model} ModelRef (bounded by {@link ModelLabels});
 * fields are found by name on the message descriptors, so new RPCs that follow the same conventions are
 * covered without changes here. A call that ends before the service answers is counted when its
 * context is cancelled, as {@code CANCELLED} (client cancelled, transport aborted) or
 * {@code DEADLINE_EXCEEDED} (the client's deadline passed); a late answer is not counted again.
 *
 * <p>A CDI bean with {@link GlobalInterceptor}: Quarkus applies it to every gRPC service of the application.
 * High priority, so it is the outermost interceptor and its latency includes the others.
 */
@ApplicationScoped
@GlobalInterceptor
public class GrpcMetricsInterceptor implements ServerInterceptor, Prioritized {

    static final String MODEL_REF = "crossmodal.common.v1.ModelRef";
    static final String MODEL_VERSION = "crossmodal.common.v1.ModelVersion";

    private final ServingMetrics metrics;
    private final Map<Descriptor, Fields> fields = new ConcurrentHashMap<>();

    public GrpcMetricsInterceptor(ServingMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public int getPriority() {
        return 1_000_000;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
        String service = method.getServiceName() == null ? "" : method.getServiceName();
        String name = method.getBareMethodName() == null ? method.getFullMethodName() : method.getBareMethodName();
        CallRecord record = new CallRecord(service, name, System.nanoTime());
        ServerCall<ReqT, RespT> recording = new SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(RespT message) {
                record.response(message);
                super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                record.finish(status.getCode());
                super.close(status, trailers);
            }
        };
        // the call's context is cancelled as soon as the client cancels or its deadline passes, while the
        // listener's onCancel waits until the service method returns: count such calls at once
        Context callContext = Context.current();
        Context.CancellationListener cancelled = c -> record.finish(Contexts.statusFromCancelled(c) == null
                ? Status.Code.CANCELLED : Contexts.statusFromCancelled(c).getCode());
        record.onFinish(() -> callContext.removeListener(cancelled));
        callContext.addListener(cancelled, Runnable::run);
        Context context = callContext.withValue(CallModel.KEY, record);
        ServerCall.Listener<ReqT> listener = Contexts.interceptCall(context, recording, headers, next);
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(ReqT message) {
                record.request(message);
                super.onMessage(message);
            }

            @Override
            public void onCancel() {
                record.finish(Status.Code.CANCELLED);
                super.onCancel();
            }
        };
    }

    /** What is known of one call until it finishes; records it once. */
    final class CallRecord {

        private final String service;
        private final String method;
        private final long start;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile String requestedModel;
        private volatile String requestedVersion;
        private volatile String resolvedModel;
        private volatile String resolvedVersion;
        private volatile boolean reported;
        private volatile Runnable onFinish = () -> { };

        CallRecord(String service, String method, long start) {
            this.service = service;
            this.method = method;
            this.start = start;
        }

        void onFinish(Runnable action) {
            onFinish = action;
        }

        void request(Object message) {
            if (requestedModel != null || !(message instanceof Message m)) {
                return;
            }
            FieldDescriptor ref = fields(m.getDescriptorForType()).modelRef;
            if (ref == null || !m.hasField(ref)) {
                return;
            }
            Message modelRef = (Message) m.getField(ref);
            Fields f = fields(modelRef.getDescriptorForType());
            requestedVersion = f.refVersion != null && modelRef.hasField(f.refVersion)
                    ? (String) modelRef.getField(f.refVersion) : null;
            requestedModel = (String) modelRef.getField(f.refName);
        }

        void response(Object message) {
            if (reported || !(message instanceof Message m)) {
                return;
            }
            Fields f = fields(m.getDescriptorForType());
            if (f.modelName != null && f.modelVersion != null) {
                String model = (String) m.getField(f.modelName);
                if (!model.isEmpty()) {
                    resolvedModel = model;
                    resolvedVersion = (String) m.getField(f.modelVersion);
                }
            } else if (f.resolved != null && m.hasField(f.resolved)) {
                Message v = (Message) m.getField(f.resolved);
                Fields vf = fields(v.getDescriptorForType());
                resolvedModel = (String) v.getField(vf.versionName);
                resolvedVersion = (String) v.getField(vf.versionVersion);
            }
        }

        void resolved(String model, String version) {
            resolvedModel = model;
            resolvedVersion = version;
            reported = true;
        }

        void finish(Status.Code code) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            long nanos = System.nanoTime() - start;
            ModelLabels labels = metrics.labels();
            ModelLabels.Tags tags = resolvedModel != null && !resolvedModel.isEmpty()
                    ? labels.resolved(resolvedModel, resolvedVersion)
                    : labels.requested(requestedModel, requestedVersion);
            metrics.recordCall(service, method, code, tags, nanos);
            onFinish.run();
        }
    }

    private Fields fields(Descriptor d) {
        return fields.computeIfAbsent(d, Fields::new);
    }

    /** The fields of one message type that carry a model, if any (looked up once per type). */
    static final class Fields {

        final FieldDescriptor modelRef;
        final FieldDescriptor refName;
        final FieldDescriptor refVersion;
        final FieldDescriptor modelName;
        final FieldDescriptor modelVersion;
        final FieldDescriptor resolved;
        final FieldDescriptor versionName;
        final FieldDescriptor versionVersion;

        Fields(Descriptor d) {
            modelRef = messageField(d, "model", MODEL_REF);
            resolved = messageField(d, "resolved", MODEL_VERSION);
            modelName = stringField(d, "model_name");
            modelVersion = stringField(d, "model_version");
            boolean isRef = d.getFullName().equals(MODEL_REF);
            refName = isRef ? stringField(d, "name") : null;
            refVersion = isRef ? stringField(d, "version") : null;
            boolean isVersion = d.getFullName().equals(MODEL_VERSION);
            versionName = isVersion ? stringField(d, "name") : null;
            versionVersion = isVersion ? stringField(d, "version") : null;
        }

        private static FieldDescriptor messageField(Descriptor d, String name, String type) {
            FieldDescriptor f = d.findFieldByName(name);
            return f != null && !f.isRepeated() && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    && f.getMessageType().getFullName().equals(type) ? f : null;
        }

        private static FieldDescriptor stringField(Descriptor d, String name) {
            FieldDescriptor f = d.findFieldByName(name);
            return f != null && !f.isRepeated() && f.getJavaType() == FieldDescriptor.JavaType.STRING ? f : null;
        }
    }
}
