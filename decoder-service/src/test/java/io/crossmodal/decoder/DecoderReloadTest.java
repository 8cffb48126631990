package io.crossmodal.decoder;

import static io.crossmodal.serving.common.testing.ReloadRegistryResource.MODEL;
import static io.crossmodal.serving.common.testing.ReloadRegistryResource.RELOAD_INTERVAL_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.cache.ModelCache;
import io.crossmodal.runtime.cache.ModelKey;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.serving.common.ServedModels;
import io.crossmodal.serving.common.testing.GrpcTesting;
import io.crossmodal.serving.common.testing.ReloadRegistryResource;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hot reload under steady load: 4 client threads decode continuously (3 by default, i.e. the production
 * alias, 1 naming version 1 explicitly) while the test moves the alias in the registry, first to a good
 * version, then to a corrupt one, then to one that lacks the decoder's component.
 */
@QuarkusTest
@WithTestResource(ReloadRegistryResource.class)
class DecoderReloadTest {

    /** Slack on top of the reload interval for loading, warming and switching (2 shared cores). */
    static final long SWITCH_SLACK_MS = 2_000;

    @TestHTTPResource("/")
    URL base;

    @Inject
    ServedModels models;

    ManagedChannel channel;

    /** What a client thread saw: when it sent, what version answered (or the failure). */
    record Outcome(long sentNanos, long doneNanos, boolean explicit, String version, String failure) {
    }

    final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    final List<String> logged = new ArrayList<>();
    final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void connect() {
        channel = GrpcTesting.channel(base);
        Logger.getLogger(ModelCache.class.getName()).addHandler(logCapture);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        Logger.getLogger(ModelCache.class.getName()).removeHandler(logCapture);
        GrpcTesting.close(channel);
    }

    static DecodeRequest request(int i, boolean explicitVersion) {
        ModelRef.Builder model = ModelRef.newBuilder().setName(MODEL);
        if (explicitVersion) {
            model.setVersion("1");
        }
        List<List<String>> words = List.of(List.of("c", "a", "t"), List.of("s", "e", "a", "t"), List.of("t", "a", "k", "e"));
        return DecodeRequest.newBuilder().setRequestId("load-" + i).setModel(model)
                .setTokens(TokenSequence.newBuilder().addAllTokens(words.get(i % words.size()))).build();
    }

    /** Runs 4 client threads until {@code stop}; every outcome goes to {@link #outcomes}. */
    List<Future<?>> startLoad(ExecutorService pool, AtomicBoolean stop) {
        List<Future<?>> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            boolean explicit = t == 3;
            clients.add(pool.submit(() -> {
                DecoderGrpc.DecoderBlockingStub stub = DecoderGrpc.newBlockingStub(channel);
                for (int i = 0; !stop.get(); i++) {
                    long sent = System.nanoTime();
                    try {
                        DecodeResponse r = stub.withDeadlineAfter(20, TimeUnit.SECONDS).decode(request(i, explicit));
                        outcomes.add(new Outcome(sent, System.nanoTime(), explicit, r.getModelVersion(), null));
                    } catch (RuntimeException e) {
                        outcomes.add(new Outcome(sent, System.nanoTime(), explicit, null, e.toString()));
                    }
                }
            }));
        }
        return clients;
    }

    List<Outcome> failures() {
        return outcomes.stream().filter(o -> o.failure() != null).toList();
    }

    /** The default (not explicit) requests sent after {@code nanos}. */
    List<Outcome> defaultsSentAfter(long nanos) {
        return outcomes.stream().filter(o -> !o.explicit() && o.sentNanos() > nanos).toList();
    }

    @Test
    void underLoadTheServiceFollowsProductionWithoutFailingARequestAndRejectsBadBundles() throws Exception {
        ModelRegistry registry = new ModelRegistry(ReloadRegistryResource.root());
        assertEquals(Map.of(MODEL, new ModelKey(MODEL, 1), "tiny", new ModelKey("tiny", 1)), models.cache().followed());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            List<Future<?>> clients = startLoad(pool, stop);
            Thread.sleep(800);

            // 1. production -> 2: answers switch within the reload interval (plus loading), nothing fails
            long moved = System.nanoTime();
            registry.setAlias(MODEL, "production", 2);
            long deadline = moved + TimeUnit.MILLISECONDS.toNanos(RELOAD_INTERVAL_MS + SWITCH_SLACK_MS + 3_000);
            while (outcomes.stream().noneMatch(o -> "2".equals(o.version())) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long firstV2 = outcomes.stream().filter(o -> "2".equals(o.version())).mapToLong(Outcome::doneNanos).min()
                    .orElseThrow(() -> new AssertionError("no answer from version 2; reloads: " + models.reloadStatus()));
            long switchMs = (firstV2 - moved) / 1_000_000;
            assertTrue(switchMs <= RELOAD_INTERVAL_MS + SWITCH_SLACK_MS, "switched after " + switchMs + " ms");
            Thread.sleep(600);
            List<Outcome> afterSwitch = defaultsSentAfter(firstV2);
            assertTrue(afterSwitch.size() > 10, "steady load after the switch: " + afterSwitch.size());
            assertTrue(afterSwitch.stream().allMatch(o -> "2".equals(o.version())),
                    "every default request sent after the switch is answered by version 2");

            // 2. production -> 3 (corrupt) and then 4 (no g2p component): rejected, version 2 keeps serving
            for (int bad : new int[] {3, 4}) {
                long badMove = System.nanoTime();
                registry.setAlias(MODEL, "production", bad);
                Thread.sleep(4L * RELOAD_INTERVAL_MS + 500);
                ModelCache.Refresh status = models.reloadStatus().get(MODEL);
                assertEquals(ModelCache.Outcome.REJECTED, status.outcome(), status.toString());
                assertEquals(new ModelKey(MODEL, bad), status.to());
                assertTrue(status.reason().contains(bad == 3 ? "checksum mismatch" : "no component 'g2p'"), status.reason());
                List<Outcome> during = defaultsSentAfter(badMove);
                assertTrue(during.size() > 10, "steady load: " + during.size());
                assertTrue(during.stream().allMatch(o -> "2".equals(o.version())), "version 2 keeps serving");
                synchronized (logged) {
                    assertTrue(logged.stream().anyMatch(m -> m.contains(MODEL + "/" + bad) && m.contains("keeps serving")
                            && m.contains(bad == 3 ? "checksum mismatch" : "no component 'g2p'")), "reason logged: " + logged);
                }
            }
            assertEquals(new ModelKey(MODEL, 2), models.cache().followed().get(MODEL));

            stop.set(true);
            for (Future<?> c : clients) {
                c.get(30, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        assertEquals(List.of(), failures(), "no request failed");
        List<Outcome> explicit = outcomes.stream().filter(Outcome::explicit).toList();
        assertTrue(explicit.size() > 10 && explicit.stream().allMatch(o -> "1".equals(o.version())),
                "requests naming version 1 keep getting version 1");
        assertTrue(outcomes.size() > 100, "steady load: " + outcomes.size() + " requests");
        // the old version was closed once its requests finished; 1 is loaded only for the explicit requests
        assertTrue(models.cache().loaded().contains(new ModelKey(MODEL, 2)), models.cache().loaded().toString());
    }
}
