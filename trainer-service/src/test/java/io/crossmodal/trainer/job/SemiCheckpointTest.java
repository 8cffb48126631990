package io.crossmodal.trainer.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.model.PriorBlock;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.model.Seq2SeqSpec;
import io.crossmodal.trainer.train.AdamMoments;
import io.crossmodal.trainer.train.Example;
import io.crossmodal.trainer.train.NoisyChannelTrainer;
import io.crossmodal.trainer.train.ParamIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The semi phase's checkpoint holds the real optimiser state, not only counters: the moments and
 * parameters read back are the saved ones value for value, and a trainer restored from them takes
 * the very next step an uninterrupted one takes. A truncated or corrupted file is never used: the
 * previous one is, or the run is refused with a clear message.
 */
class SemiCheckpointTest {
    private static final int G = 10; // graphemes: ids 4..9
    private static final int P = 12; // phonemes: ids 4..11
    private static final List<String> PARTS = List.of("g2p", "p2g", "prior");

    /** The three tiny models, initialised from an engine seed. */
    private record Models(Model g2p, Model p2g, Model prior) implements AutoCloseable {
        static Models create(int seed) {
            Engine.getInstance().setRandomSeed(seed);
            Model prior = Model.newInstance("prior");
            PriorBlock pb = new PriorBlock(G, 8, 16);
            prior.setBlock(pb);
            pb.initializeAll(prior.getNDManager());
            return new Models(seq2seq("g2p", G, P), seq2seq("p2g", P, G), prior);
        }

        Model get(String c) {
            return switch (c) {
                case "g2p" -> g2p;
                case "p2g" -> p2g;
                default -> prior;
            };
        }

        NoisyChannelTrainer trainer() {
            // every term on, sampled wake with importance weights: all three Adams and the generator move
            return new NoisyChannelTrainer(g2p, p2g, prior, new NoisyChannelTrainer.Settings(1, 1, 1, 1, 2, 1.0, false,
                    true, false, 4, 0.01f, 5f, 8, 17));
        }

        Map<String, Map<String, float[]>> params() {
            Map<String, Map<String, float[]>> out = new LinkedHashMap<>();
            PARTS.forEach(c -> out.put(c, ParamIO.named(get(c).getBlock())));
            return out;
        }

        @Override
        public void close() {
            g2p.close();
            p2g.close();
            prior.close();
        }
    }

    private static Model seq2seq(String name, int src, int tgt) {
        Model m = Model.newInstance(name);
        Seq2SeqBlock b = new Seq2SeqBlock(new Seq2SeqSpec(src, tgt, 8, 12, 16));
        m.setBlock(b);
        b.initializeAll(m.getNDManager());
        return m;
    }

    private static long[] ids(Random r, int lo, int hi) {
        long[] out = new long[2 + r.nextInt(3)];
        for (int i = 0; i < out.length; i++) {
            out[i] = lo + r.nextInt(hi - lo + 1);
        }
        return out;
    }

    private static NoisyChannelTrainer.Batch batch(int seed) {
        Random r = new Random(seed);
        List<Example> paired = new ArrayList<>();
        List<long[]> spellings = new ArrayList<>();
        List<long[]> phonemes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long[] y = ids(r, 4, 9);
            long[] x = new long[y.length];
            for (int j = 0; j < y.length; j++) {
                x[j] = y[j] + 2;
            }
            paired.add(new Example(y, x));
            spellings.add(ids(r, 4, 9));
            phonemes.add(ids(r, 4, 11));
        }
        return new NoisyChannelTrainer.Batch(paired, spellings, phonemes, spellings);
    }

    private static SemiCheckpoint checkpoint(int epoch, Models m, NoisyChannelTrainer t, String fingerprint) {
        Map<String, SemiCheckpoint.CyclerState> cyclers = Map.of("paired", new SemiCheckpoint.CyclerState(new int[] {2, 0, 1}, 1));
        SemiCheckpoint.Progress p = new SemiCheckpoint.Progress(epoch, 3L * epoch, 1.5, Map.of("g2p", 0.5), Map.of("g2p", epoch),
                List.of(new NoisyChannelJob.EpochRecord(epoch, 3L * epoch, Map.of("wake", 1.25), Map.of("prior.nll", Double.NaN),
                        Map.of("wake", 7), Map.of("g2p", 0.01f), 1.5)),
                Map.of(), 12345L, cyclers, t.state());
        return SemiCheckpoint.of(p, fingerprint, m.params(), m.params());
    }

    private static void assertSameArrays(Map<String, float[]> a, Map<String, float[]> b, String what) {
        assertEquals(a.keySet(), b.keySet(), what);
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), what + " " + k));
    }

    private static void assertSameState(NoisyChannelTrainer.State a, NoisyChannelTrainer.State b) {
        for (String c : PARTS) {
            AdamMoments x = a.adam().get(c);
            AdamMoments y = b.adam().get(c);
            assertEquals(x.updates(), y.updates(), c + " Adam update count");
            assertSameArrays(x.mean(), y.mean(), c + " first moment");
            assertSameArrays(x.variance(), y.variance(), c + " second moment");
        }
        assertEquals(a.learningRates(), b.learningRates());
        assertEquals(a.rngState(), b.rngState());
        assertEquals(a.steps(), b.steps());
        assertEquals(a.nonFiniteSkips(), b.nonFiniteSkips());
        assertEquals(a.nonFiniteParameters(), b.nonFiniteParameters());
        assertEquals(a.firstNonFinite(), b.firstNonFinite());
    }

    @Test
    void weightsAndMomentsAreRestoredValueForValueAndTheNextStepMatches(@TempDir Path dir) throws Exception {
        try (Models a = Models.create(3); NoisyChannelTrainer ta = a.trainer();
                Models b = Models.create(4); NoisyChannelTrainer tb = b.trainer();
                Models c = Models.create(5); NoisyChannelTrainer tc = c.trainer()) {
            for (int i = 0; i < 3; i++) {
                ta.step(batch(i));
            }
            ta.setLearningRate("p2g", 0.005f);
            NoisyChannelTrainer.State saved = ta.state();
            for (String part : PARTS) {
                assertEquals(3, saved.adam().get(part).updates(), part + ": one Adam update per step");
                assertFalse(saved.adam().get(part).mean().isEmpty(), part);
            }
            checkpoint(1, a, ta, "fp").write(dir, 1);

            SemiCheckpoint read = SemiCheckpoint.latest(dir);
            assertEquals(1, read.progress().epoch());
            assertSameState(saved, read.trainerState());
            Map<String, Map<String, float[]>> params = a.params();
            for (String part : PARTS) {
                assertSameArrays(params.get(part), read.last().get(part), part + " parameters");
                assertSameArrays(params.get(part), read.best().get(part), part + " best parameters");
            }
            assertTrue(Double.isNaN(read.progress().records().get(0).dev().get("prior.nll")), "NaN survives the JSON");
            assertArrayEquals(new int[] {2, 0, 1}, read.progress().cyclers().get("paired").order());

            // b: other initial weights, restored in full from the file; c: the weights and counters, fresh moments
            for (String part : PARTS) {
                ParamIO.restore(b.get(part).getBlock(), ParamIO.ordered(b.get(part).getBlock(), read.last().get(part)));
                ParamIO.restore(c.get(part).getBlock(), ParamIO.ordered(c.get(part).getBlock(), read.last().get(part)));
            }
            tb.restore(read.trainerState());
            assertSameState(saved, tb.state());
            NoisyChannelTrainer.State t = read.trainerState();
            Map<String, AdamMoments> fresh = new LinkedHashMap<>();
            PARTS.forEach(part -> fresh.put(part, new AdamMoments(0, t.steps(), Map.of(), Map.of())));
            tc.restore(new NoisyChannelTrainer.State(fresh, t.learningRates(), t.rngState(), t.steps(), t.nonFiniteSkips(),
                    t.nonFiniteParameters(), t.firstNonFinite()));

            ta.step(batch(9));
            tb.step(batch(9));
            tc.step(batch(9));
            Map<String, Map<String, float[]>> pa = a.params();
            Map<String, Map<String, float[]>> pb = b.params();
            Map<String, Map<String, float[]>> pc = c.params();
            for (String part : PARTS) {
                assertSameArrays(pa.get(part), pb.get(part), part + " after the next step");
                boolean differs = pa.get(part).keySet().stream()
                        .anyMatch(k -> !java.util.Arrays.equals(pa.get(part).get(k), pc.get(part).get(k)));
                assertTrue(differs, part + ": with fresh moments the next step differs, so the moments are what matched");
            }
            assertSameState(ta.state(), tb.state());
        }
    }

    @Test
    void aDamagedNewestFileFallsBackToThePreviousAndAllDamagedIsRefused(@TempDir Path dir) throws Exception {
        try (Models a = Models.create(3); NoisyChannelTrainer ta = a.trainer()) {
            ta.step(batch(1));
            checkpoint(1, a, ta, "fp").write(dir, 1);
            ta.step(batch(2));
            checkpoint(2, a, ta, "fp").write(dir, 2);
            ta.step(batch(3));
            checkpoint(3, a, ta, "fp").write(dir, 3);
            assertFalse(Files.exists(SemiCheckpoint.file(dir, 1)), "only the newest and the one before it are kept");
            assertEquals(3, SemiCheckpoint.latest(dir).progress().epoch());

            // a write that crashed half-way leaves only a dot-temp file: invisible, then cleaned up
            Path tmp = dir.resolve(".tmp-semi-0004.ckpt-0b5e");
            Files.write(tmp, new byte[] {1, 2, 3});
            assertEquals(3, SemiCheckpoint.latest(dir).progress().epoch());
            assertFalse(Files.exists(tmp));

            // truncated newest file: its checksum fails, the previous epoch's file is used
            Path f3 = SemiCheckpoint.file(dir, 3);
            byte[] full = Files.readAllBytes(f3);
            Files.write(f3, java.util.Arrays.copyOf(full, full.length / 2));
            IOException e = assertThrows(IOException.class, () -> SemiCheckpoint.read(f3));
            assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());
            SemiCheckpoint fallback = SemiCheckpoint.latest(dir);
            assertEquals(2, fallback.progress().epoch());
            assertEquals(2, fallback.trainerState().steps());

            // one flipped byte in the previous file too: nothing usable, refused naming both files
            Path f2 = SemiCheckpoint.file(dir, 2);
            byte[] b2 = Files.readAllBytes(f2);
            b2[b2.length / 2] ^= 0x10;
            Files.write(f2, b2);
            IOException none = assertThrows(IOException.class, () -> SemiCheckpoint.latest(dir));
            assertTrue(none.getMessage().contains("semi-0003.ckpt") && none.getMessage().contains("semi-0002.ckpt")
                    && none.getMessage().contains("Delete"), none.getMessage());
        }
    }

    @Test
    void aCheckpointOfAnotherConfigIsRefusedNamingTheSetting(@TempDir Path dir) throws Exception {
        String base = """
                {"name": "a", "data": {"source": "x"}, "split": {"paired": 5, "unpairedGraphemes": 5, "unpairedPhonemes": 5,
                 "dev": 5, "test": 5}, "semi": {"enabled": true, "epochs": %d, "samples": %d}, "seed": 1,
                 "runDir": "%s", "registryDir": "r"}""";
        String fp = SemiCheckpoint.fingerprint(JobConfig.parse(base.formatted(2, 4, "run1")));
        assertEquals(fp, SemiCheckpoint.fingerprint(JobConfig.parse(base.formatted(5, 4, "run2"))),
                "more semi epochs or another run directory still resume");
        String other = SemiCheckpoint.fingerprint(JobConfig.parse(base.formatted(2, 8, "run1")));
        assertNotEquals(fp, other);
        try (Models a = Models.create(3); NoisyChannelTrainer ta = a.trainer()) {
            checkpoint(1, a, ta, fp).write(dir, 1);
        }
        SemiCheckpoint read = SemiCheckpoint.latest(dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read.checkFingerprint(other, SemiCheckpoint.file(dir, 1)));
        assertTrue(e.getMessage().contains("semi.samples: 4 then, 8 now"), e.getMessage());
        read.checkFingerprint(fp, SemiCheckpoint.file(dir, 1));
        assertNull(SemiCheckpoint.latest(dir.resolve("absent")));
    }
}
