package io.crossmodal.decoder;

import static io.crossmodal.serving.common.testing.ReloadRegistryResource.MODEL;
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
 * version, then to a corrupt one, to one that lacks the decoder's component, and to two whose checksums are valid but
 * whose graphs are broken or mis-shaped. No clock in the checks: the reload status and the answers are polled.
 */
@QuarkusTest
@WithTestResource(ReloadRegistryResource.class)
class DecoderReloadTest {

    /** A hang guard for each wait, not a speed check: generous for 2 shared, loaded cores. */
    static final long WAIT_LIMIT_MS = 120_000;

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

    /** Polls {@code condition} until it holds; fails after {@link #WAIT_LIMIT_MS} (a hang, not slowness). */
    static void awaitThat(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_LIMIT_MS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for: " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void underLoadTheServiceFollowsProductionWithoutFailingARequestAndRejectsBadBundles() throws Exception {
        ModelRegistry registry = new ModelRegistry(ReloadRegistryResource.root());
        assertEquals(Map.of(MODEL, new ModelKey(MODEL, 1), "tiny", new ModelKey("tiny", 1)), models.cache().followed());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            List<Future<?>> clients = startLoad(pool, stop);
            awaitThat("the load to run", () -> outcomes.size() >= 20);

            // 1. production -> 2: the reload switches (its status says so), answers follow, nothing fails
            registry.setAlias(MODEL, "production", 2);
            awaitThat("an answer from version 2; reloads: " + models.reloadStatus(),
                    () -> outcomes.stream().anyMatch(o -> "2".equals(o.version())));
            assertEquals(new ModelKey(MODEL, 2), models.cache().followed().get(MODEL), models.reloadStatus().toString());
            long firstV2 = outcomes.stream().filter(o -> "2".equals(o.version())).mapToLong(Outcome::doneNanos).min()
                    .orElseThrow();
            awaitThat("steady load after the switch", () -> defaultsSentAfter(firstV2).size() > 10);
            assertTrue(defaultsSentAfter(firstV2).stream().allMatch(o -> "2".equals(o.version())),
                    "every default request sent after the switch is answered by version 2");

            // 2. production -> 3 (corrupt), 4 (no g2p component), 5 and 6 (valid checksums, broken / mis-shaped
            // graphs): rejected, version 2 keeps serving
            for (int bad : new int[] {3, 4, 5, 6}) {
                registry.setAlias(MODEL, "production", bad);
                awaitThat("the reload to reject version " + bad, () -> {
                    ModelCache.Refresh r = models.reloadStatus().get(MODEL);
                    return r != null && r.outcome() == ModelCache.Outcome.REJECTED && r.to().equals(new ModelKey(MODEL, bad));
                });
                long rejected = System.nanoTime();
                ModelCache.Refresh status = models.reloadStatus().get(MODEL);
                String reason = switch (bad) {
                    case 3 -> "checksum mismatch";
                    case 4 -> "no component 'g2p'";
                    case 5 -> "could not create ONNX Runtime session";
                    default -> "failed its warm-up run";
                };
                assertTrue(status.reason().contains(reason), status.reason());
                awaitThat("steady load after rejecting " + bad, () -> defaultsSentAfter(rejected).size() > 10);
                assertTrue(defaultsSentAfter(rejected).stream().allMatch(o -> "2".equals(o.version())), "version 2 keeps serving");
                synchronized (logged) {
                    assertTrue(logged.stream().anyMatch(m -> m.contains(MODEL + "/" + bad) && m.contains("keeps serving")
                            && m.contains(reason)), "reason logged: " + logged);
                }
                assertTrue(models.cache().loaded().stream().noneMatch(k -> k.equals(new ModelKey(MODEL, bad))),
                        "nothing of version " + bad + " stays loaded: " + models.cache().loaded());
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
