package io.crossmodal.serving.common;

import io.crossmodal.serving.common.batching.Batcher;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a call's gRPC deadline known to the handlers. Quarkus serves gRPC on its Vert.x HTTP server
 * ({@code quarkus.grpc.server.use-separate-server=false}), whose grpc-java bridge neither sets
 * {@link Context#getDeadline()} nor enforces the deadline; this interceptor reads the
 * {@code grpc-timeout} header (sent by every client that sets a deadline) into the call's context,
 * where {@link #deadlineNanos()} finds it, so a request that expires while it waits for its batch is
 * dropped and answered DEADLINE_EXCEEDED. On a plain grpc-java server the context deadline is used.
 */
@ApplicationScoped
@GlobalInterceptor
public class GrpcDeadlines implements ServerInterceptor {

    /** Absolute {@link System#nanoTime()} deadline of the current call. */
    static final Context.Key<Long> DEADLINE = Context.key("crossmodal-deadline-nanos");

    static final Metadata.Key<String> GRPC_TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

    private static final Pattern TIMEOUT = Pattern.compile("(\\d{1,8})([HMSmun])");

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        long now = System.nanoTime();
        Long timeout = parseTimeoutNanos(headers.get(GRPC_TIMEOUT));
        if (timeout == null) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(DEADLINE, now + timeout), call, headers, next);
    }

    /**
     * The current call's deadline as an absolute {@link System#nanoTime()}, or {@link Batcher#NO_DEADLINE}.
     * Call it on the thread that handles the call (the gRPC context is thread-bound).
     */
    public static long deadlineNanos() {
        Long d = DEADLINE.get();
        if (d != null) {
            return d;
        }
        Deadline deadline = Context.current().getDeadline();
        return deadline == null ? Batcher.NO_DEADLINE : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
    }

    /** A {@code grpc-timeout} header value ({@code 1-8 digits} + unit H, M, S, m, u, n) in nanoseconds; null if absent or malformed. */
    static Long parseTimeoutNanos(String value) {
        if (value == null) {
            return null;
        }
        Matcher m = TIMEOUT.matcher(value.trim());
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        TimeUnit unit = switch (m.group(2).charAt(0)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            default -> TimeUnit.NANOSECONDS;
        };
        return unit.toNanos(n);
    }
}
