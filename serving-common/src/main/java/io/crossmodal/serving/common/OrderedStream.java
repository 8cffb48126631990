package io.crossmodal.serving.common;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The server side of a bulk stream RPC (EncodeStream, DecodeStream): every request is checked and
 * queued as it arrives, so the requests of a stream join the dynamic batches like unary requests, and
 * each is answered by one response, in request order.
 *
 * <p><b>Flow control.</b> Automatic inbound flow control is off: the stream asks the client for
 * {@code maxInFlight} requests and then for one more per response sent. Responses go out only while
 * the transport {@linkplain ServerCallStreamObserver#isReady() is ready} (the rest are sent from the
 * on-ready handler), so a slow reader stops the server from reading, and the requests one stream
 * holds (queued, running, or answered but unsent) never exceed {@code maxInFlight}.
 *
 * <p><b>Caps</b> ({@link StreamLimits}): a stream opened while {@code maxOpen} streams are open ends at once
 * with RESOURCE_EXHAUSTED; a stream that sends more than {@code maxRequests} requests gets the answers to
 * the first {@code maxRequests}, then ends with RESOURCE_EXHAUSTED (the server reads nothing more from it).
 *
 * <p><b>Malformed messages.</b> A message that does not parse arrives as {@code null} ({@link SafeParsing}):
 * the requests before it are answered, then the stream ends with INVALID_ARGUMENT.
 *
 * <p><b>Failures.</b> A request that fails (bad input, unknown model, full queue, ...) is answered by
 * the response {@code error} builds, and the stream goes on. When the client cancels, or its deadline
 * passes, every request of the stream still queued is cancelled.
 *
 * <p>Thread-safe: requests arrive on gRPC's threads, results on batching threads; all use of the
 * response observer happens under this object's lock, one call at a time.
 *
 * @param <Q> request
 * @param <A> response
 */
public final class OrderedStream<Q, A> implements StreamObserver<Q> {

    private static final Logger LOG = Logger.getLogger(OrderedStream.class);

    /** Queues one request of the stream, with the stream's deadline; throws (a status) when it is refused. */
    @FunctionalInterface
    public interface Submitter<Q> {
        InferenceQueue.Pending submit(Q request, long deadlineNanos);
    }

    private final String rpc;
    private final StreamObserver<A> out;
    private final ServerCallStreamObserver<A> call;
    private final Function<Q, String> requestId;
    private final Submitter<Q> submitter;
    private final BiFunction<Q, ServingCalls.Served, A> response;
    private final BiFunction<Q, Status, A> error;
    private final long deadlineNanos;
    private final StreamLimits limits;
    // guarded by this
    private final ArrayDeque<Slot<A>> slots = new ArrayDeque<>();
    private boolean halfClosed;
    private boolean closed;
    /** The client sent more than maxRequests: answer what is held, then end with RESOURCE_EXHAUSTED. */
    private boolean overLong;
    /** The client sent a message that does not parse: answer what is held, then end with INVALID_ARGUMENT. */
    private boolean malformed;
    /** Whether this stream was counted out of {@link StreamLimits} (once). */
    private boolean released;
    /** Whether answers wait because the transport is not ready (counted in {@link StreamLimits}). */
    private boolean waitingForReader;
    private long received;
    private long sent;

    /** One request's place in the response order. */
    private static final class Slot<A> {
        InferenceQueue.Pending pending;
        A response;
    }

    /**
     * Opens the stream; call it from the service method and return the result.
     *
     * @param rpc         the RPC's name, for logs and INTERNAL messages
     * @param responses   the call's response observer
     * @param maxInFlight most requests held at once (at least 1)
     * @param requestId   a request's id, for logs and error statuses
     * @param submitter   checks and queues one request
     * @param response    the response to a request that succeeded
     * @param error       the response to a request that failed (the status a unary call would have ended with)
     */
    public static <Q, A> StreamObserver<Q> open(String rpc, StreamObserver<A> responses, int maxInFlight,
            Function<Q, String> requestId, Submitter<Q> submitter, BiFunction<Q, ServingCalls.Served, A> response,
            BiFunction<Q, Status, A> error) {
        return open(rpc, responses, new StreamLimits(Math.max(1, maxInFlight), 0, 0), requestId, submitter, response, error);
    }

    /**
     * Opens the stream under the service's stream caps; call it from the service method and return the result.
     * When {@code limits.maxOpen()} streams are open the call ends at once with RESOURCE_EXHAUSTED.
     */
    public static <Q, A> StreamObserver<Q> open(String rpc, StreamObserver<A> responses, StreamLimits limits,
            Function<Q, String> requestId, Submitter<Q> submitter, BiFunction<Q, ServingCalls.Served, A> response,
            BiFunction<Q, Status, A> error) {
        if (!limits.tryOpen()) {
            LOG.debugf("%s: refused, %d streams are open", rpc, limits.maxOpen());
            responses.onError(Status.RESOURCE_EXHAUSTED.withDescription("this server has " + limits.maxOpen()
                    + " streams open, its limit (crossmodal.serving.stream.max-open); retry later or send unary calls")
                    .asRuntimeException());
            return new StreamObserver<>() {
                @Override
                public void onNext(Q value) {
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            };
        }
        return new OrderedStream<>(rpc, responses, limits, requestId, submitter, response, error);
    }

    private OrderedStream(String rpc, StreamObserver<A> responses, StreamLimits limits, Function<Q, String> requestId,
            Submitter<Q> submitter, BiFunction<Q, ServingCalls.Served, A> response, BiFunction<Q, Status, A> error) {
        int maxInFlight = limits.maxInFlight();
        this.limits = limits;
        this.rpc = rpc;
        this.out = responses;
        this.call = responses instanceof ServerCallStreamObserver<A> c ? c : null;
        this.requestId = requestId;
        this.submitter = submitter;
        this.response = response;
        this.error = error;
        this.deadlineNanos = GrpcDeadlines.deadlineNanos();
        if (call != null) {
            call.disableAutoRequest();
            call.setOnReadyHandler(this::drain);
            call.setOnCancelHandler(this::cancelAll);
            call.request(maxInFlight);
        }
    }

    @Override
    public void onNext(Q request) {
        Slot<A> slot = new Slot<>();
        synchronized (this) {
            if (closed || overLong || malformed) {
                return;
            }
            if (request == null) {
                // not the RPC's protobuf (SafeParsing): answer what is held, then end with INVALID_ARGUMENT
                malformed = true;
                LOG.debugf("%s: message %d of the stream does not parse; ending the stream", rpc, received + 1);
                drainLocked();
                return;
            }
            if (limits.maxRequests() > 0 && received >= limits.maxRequests()) {
                // one more than allowed: stop reading, answer what is held, then end the stream
                overLong = true;
                limits.endedOverLong();
                LOG.debugf("%s: the client sent more than %d requests; ending the stream", rpc, limits.maxRequests());
                drainLocked();
                return;
            }
            received++;
            slots.addLast(slot);
            limits.received(slots.size());
        }
        String id = requestId.apply(request);
        InferenceQueue.Pending pending;
        try {
            pending = submitter.submit(request, deadlineNanos);
        } catch (Throwable t) {
            complete(slot, error.apply(request, GrpcErrors.toStatus(t, id, rpc).getStatus()));
            return;
        }
        boolean cancel;
        synchronized (this) {
            slot.pending = pending;
            cancel = closed;
        }
        if (cancel) {
            pending.cancel();
            return;
        }
        pending.result().whenComplete((result, failure) -> {
            A answer;
            try {
                answer = failure == null ? response.apply(request, result)
                        : error.apply(request, GrpcErrors.toStatus(failure, id, rpc).getStatus());
            } catch (RuntimeException e) {
                answer = error.apply(request, GrpcErrors.toStatus(e, id, rpc).getStatus());
            }
            complete(slot, answer);
        });
    }

    /** The client ended the stream with an error (or the call broke): nothing more will be answered. */
    @Override
    public void onError(Throwable t) {
        LOG.debugf("%s: the client ended the stream with %s", rpc, t.toString());
        cancelAll();
    }

    /** The client sent its last request: the stream completes once every request is answered. */
    @Override
    public void onCompleted() {
        synchronized (this) {
            halfClosed = true;
            drainLocked();
        }
    }

    private void complete(Slot<A> slot, A answer) {
        synchronized (this) {
            slot.response = answer;
            drainLocked();
        }
    }

    private void drain() {
        synchronized (this) {
            drainLocked();
        }
    }

    /** Sends the answered head of the queue while the transport takes it; asks for as many new requests. */
    private void drainLocked() {
        if (closed) {
            return;
        }
        int n = 0;
        try {
            while (!slots.isEmpty() && slots.peekFirst().response != null && (call == null || call.isReady())) {
                out.onNext(slots.pollFirst().response);
                n++;
            }
            sent += n;
            setWaitingForReader(!slots.isEmpty() && slots.peekFirst().response != null);
            if (malformed && slots.isEmpty()) {
                closed = true;
                release();
                out.onError(Status.INVALID_ARGUMENT.withDescription("message " + (received + 1) + " of this stream is not a"
                        + " valid request message (it does not parse as the RPC's protobuf); the " + received
                        + " before it were answered").asRuntimeException());
            } else if (overLong && slots.isEmpty()) {
                closed = true;
                release();
                out.onError(Status.RESOURCE_EXHAUSTED.withDescription("this stream sent more than "
                        + limits.maxRequests() + " requests (crossmodal.serving.stream.max-requests); the first "
                        + limits.maxRequests() + " were answered; open a new stream for more").asRuntimeException());
            } else if (halfClosed && slots.isEmpty()) {
                closed = true;
                release();
                out.onCompleted();
                LOG.debugf("%s: stream completed, %d requests answered", rpc, sent);
            } else if (n > 0 && !halfClosed && !overLong && !malformed && call != null) {
                call.request(n);
            }
        } catch (RuntimeException e) {
            // the call was cancelled or closed under us
            LOG.debugf("%s: cannot send (%s); dropping the stream", rpc, e.toString());
            cancelAllLocked();
        }
    }

    private void cancelAll() {
        synchronized (this) {
            cancelAllLocked();
        }
    }

    /** Counts this stream out of the open streams, once (lock held). */
    private void release() {
        setWaitingForReader(false);
        if (!released) {
            released = true;
            limits.closed();
        }
    }

    private void setWaitingForReader(boolean now) {
        if (now != waitingForReader) {
            waitingForReader = now;
            limits.waitingForReader(now);
        }
    }

    private void cancelAllLocked() {
        release();
        if (closed && slots.isEmpty()) {
            return;
        }
        closed = true;
        List<InferenceQueue.Pending> pending = new ArrayList<>();
        for (Slot<A> s : slots) {
            if (s.pending != null && s.response == null) {
                pending.add(s.pending);
            }
        }
        slots.clear();
        if (!pending.isEmpty()) {
            LOG.debugf("%s: stream cancelled after %d of %d requests; cancelling %d queued", rpc, sent, received,
                    pending.size());
        }
        pending.forEach(InferenceQueue.Pending::cancel);
    }
}
