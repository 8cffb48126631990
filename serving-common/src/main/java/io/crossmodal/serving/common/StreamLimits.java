package io.crossmodal.serving.common;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The caps of the bulk stream RPCs ({@code crossmodal.serving.stream.*}) and their counters: requests a
 * stream holds at once, requests per stream, streams open in the whole service. With HTTP/2's cap on streams
 * per connection ({@code quarkus.http.limits.max-concurrent-streams}) they bound what streams can make the
 * server hold: at most {@code maxOpen x maxInFlight} requests. Thread-safe; a bean so tests can read it.
 */
@ApplicationScoped
public class StreamLimits {

    private final int maxInFlight;
    private final long maxRequests;
    private final int maxOpen;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peakOpen = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong overLong = new AtomicLong();
    private final AtomicInteger peakHeld = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    private final AtomicInteger waitingForReader = new AtomicInteger();

    @Inject
    public StreamLimits(ServingLoadConfig config) {
        this(config.stream().maxInFlight(), config.stream().maxRequests(), config.stream().maxOpen());
    }

    /**
     * @param maxInFlight requests one stream holds at once (at least 1)
     * @param maxRequests requests one stream may send; 0 = no limit
     * @param maxOpen     streams open at once; 0 = no limit
     */
    public StreamLimits(int maxInFlight, long maxRequests, int maxOpen) {
        if (maxInFlight < 1 || maxRequests < 0 || maxOpen < 0) {
            throw new IllegalArgumentException("crossmodal.serving.stream: max-in-flight must be >= 1 and max-requests,"
                    + " max-open >= 0; got " + maxInFlight + ", " + maxRequests + ", " + maxOpen);
        }
        this.maxInFlight = maxInFlight;
        this.maxRequests = maxRequests;
        this.maxOpen = maxOpen;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public long maxRequests() {
        return maxRequests;
    }

    public int maxOpen() {
        return maxOpen;
    }

    /** Counts a new stream in; false (counted as refused) when {@code maxOpen} are open. */
    boolean tryOpen() {
        while (true) {
            int now = open.get();
            if (maxOpen > 0 && now >= maxOpen) {
                refused.incrementAndGet();
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                peakOpen.accumulateAndGet(now + 1, Math::max);
                return true;
            }
        }
    }

    void closed() {
        open.decrementAndGet();
    }

    void endedOverLong() {
        overLong.incrementAndGet();
    }

    void received(int held) {
        received.incrementAndGet();
        peakHeld.accumulateAndGet(held, Math::max);
    }

    void waitingForReader(boolean now) {
        waitingForReader.addAndGet(now ? 1 : -1);
    }

    /**
     * The counters now.
     *
     * @param open      streams open
     * @param peakOpen  the most open at once since start
     * @param refused   streams refused because {@code maxOpen} were open
     * @param overLong  streams ended because they sent more than {@code maxRequests}
     * @param peakHeld  the most requests one stream held at once since start
     * @param received  requests the streams have read from their clients since start
     * @param waitingForReader streams that hold answers the transport will not take now (the client reads
     *                  slowly or not at all): they read no more requests until it does
     */
    public record Snapshot(int open, int peakOpen, long refused, long overLong, int peakHeld, long received,
            int waitingForReader) {
    }

    /** Starts the peaks ({@code peakOpen}, {@code peakHeld}) afresh from now, e.g. before a measurement. */
    public void resetPeaks() {
        peakOpen.set(open.get());
        peakHeld.set(0);
    }

    public Snapshot snapshot() {
        return new Snapshot(open.get(), peakOpen.get(), refused.get(), overLong.get(), peakHeld.get(), received.get(),
                waitingForReader.get());
    }
}
