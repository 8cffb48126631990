package io.crossmodal.family.pvae.testing;

import io.crossmodal.family.pvae.model.DecoderWeights;
import io.crossmodal.family.pvae.model.EncoderWeights;
import io.crossmodal.family.pvae.model.GaussianHead;
import io.crossmodal.family.pvae.model.Mlp;
import io.crossmodal.family.pvae.model.Normalizer;
import io.crossmodal.family.pvae.model.PvaeWeights;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.family.pvae.onnx.PvaeGraphs;
import io.crossmodal.family.pvae.serving.PvaeBundleLayout;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.onnx.Linear;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/**
 * Test fixture shared through this module's test-jar (the services' tests use it): random-weight
 * PVAEs of tiny sizes written as bundles in the layout the trainer's export writes
 * ({@link PvaeBundleLayout}), and synthetic audio as samples or WAV bytes.
 */
public final class TinyPvae {

    public static final int FRAMES = 6;
    public static final int MEL = 80;
    public static final int SHARED = 4;
    public static final int STYLE = 3;

    private TinyPvae() {
    }

    /** Random weights; a modality left out has neither encoder nor decoder. */
    public static PvaeWeights weights(long seed, boolean speech, boolean image) {
        Random rnd = new Random(seed);
        int in = FRAMES * MEL;
        Normalizer norm = normalizer(rnd, in);
        EncoderWeights se = speech ? new EncoderWeights(norm, new Mlp(List.of(Linear.random(in, 12, true, rnd))),
                head(12, SHARED, rnd), head(12, STYLE, rnd)) : null;
        DecoderWeights sd = speech ? new DecoderWeights(SHARED, STYLE,
                new Mlp(List.of(Linear.random(SHARED + STYLE, 10, true, rnd), Linear.random(10, in, true, rnd))), false, norm) : null;
        EncoderWeights ie = image ? new EncoderWeights(Normalizer.identity(784),
                new Mlp(List.of(Linear.random(784, 12, true, rnd))), head(12, SHARED, rnd), head(12, STYLE, rnd)) : null;
        DecoderWeights id = image ? new DecoderWeights(SHARED, STYLE,
                new Mlp(List.of(Linear.random(SHARED + STYLE, 784, true, rnd))), true, null) : null;
        return new PvaeWeights(FRAMES, MEL, se, ie, sd, id);
    }

    public static OrtPvae.Graphs graphs(PvaeWeights w) {
        return PvaeGraphs.all(w);
    }

    /** Writes the model as the next version of {@code model} in the registry at {@code root}. */
    public static Bundle write(Path root, String model, PvaeWeights w, Map<String, Number> limits) {
        var content = PvaeBundleLayout.content(w, graphs(w), limits);
        Map<String, FileContent> files = new LinkedHashMap<>();
        content.files().forEach((name, bytes) -> files.put(name, FileContent.of(bytes)));
        return new BundleWriter(root).write(model, content.manifest().createdAt(Instant.parse("2026-01-02T03:04:05Z"))
                .metric("speech_shared_purity", 0.5).build(), files);
    }

    /** A voiced-looking test signal: two harmonics under a smooth envelope, silent at both ends. */
    public static float[] tone(int rate, double seconds, double f0) {
        int n = (int) Math.round(rate * seconds);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            double t = i / (double) rate;
            double env = Math.sin(Math.PI * i / n);
            s[i] = (float) (0.4 * env * env * (Math.sin(2 * Math.PI * f0 * t) + 0.5 * Math.sin(2 * Math.PI * 3.1 * f0 * t)));
        }
        return s;
    }

    /** 16-bit mono PCM WAV bytes of the samples (rounded to 16 bits). */
    public static byte[] wav(float[] samples, int rate) {
        byte[] pcm = new byte[samples.length * 2];
        for (int i = 0; i < samples.length; i++) {
            int v = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768)));
            pcm[2 * i] = (byte) v;
            pcm[2 * i + 1] = (byte) (v >> 8);
        }
        AudioFormat f = new AudioFormat(rate, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(pcm), f, samples.length)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The samples a 16-bit WAV of {@code samples} carries (what the server decodes). */
    public static float[] quantised(float[] samples) {
        float[] out = new float[samples.length];
        for (int i = 0; i < samples.length; i++) {
            out[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768))) / 32768f;
        }
        return out;
    }

    /** A random image of grey levels in [0, 1]. */
    public static float[] image(long seed) {
        Random rnd = new Random(seed);
        float[] p = new float[784];
        for (int i = 0; i < p.length; i++) {
            p[i] = rnd.nextFloat();
        }
        return p;
    }

    private static GaussianHead head(int in, int dim, Random rnd) {
        return new GaussianHead(Linear.random(in, dim, true, rnd), Linear.random(in, dim, true, rnd));
    }

    private static Normalizer normalizer(Random rnd, int n) {
        float[] mean = new float[n];
        float[] std = new float[n];
        for (int i = 0; i < n; i++) {
            mean[i] = (float) rnd.nextGaussian() - 5;
            std[i] = 0.5f + rnd.nextFloat() * 3;
        }
        return new Normalizer(mean, std);
    }
}
