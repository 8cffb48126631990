package io.crossmodal.serving.common.metrics;

import io.grpc.Context;

/**
 * The model a gRPC call resolved to, as service code reports it for the call's metrics. The
 * {@link GrpcMetricsInterceptor} reads the model from the request ({@code model}: a ModelRef) and the
 * response ({@code model_name} / {@code model_version}, or {@code resolved}: a ModelVersion); a call that
 * fails after resolving its model (e.g. an unknown symbol) has no response, so its version is known only
 * to the service code, which can report it here from the call's thread:
 *
 * <pre>{@code CallModel.resolved(lease.key().model(), lease.key().version());}</pre>
 *
 * A no-op outside a call intercepted by {@link GrpcMetricsInterceptor}.
 */
public final class CallModel {

    /** The current call's metrics record (set by the interceptor for the listener callbacks). */
    static final Context.Key<GrpcMetricsInterceptor.CallRecord> KEY = Context.key("crossmodal-call-metrics");

    private CallModel() {
    }

    /** Reports that the current call resolved to {@code model} version {@code version}. */
    public static void resolved(String model, int version) {
        resolved(model, Integer.toString(version));
    }

    /** Reports that the current call resolved to {@code model} version {@code version}. */
    public static void resolved(String model, String version) {
        GrpcMetricsInterceptor.CallRecord call = KEY.get();
        if (call != null) {
            call.resolved(model, version);
        }
    }
}
