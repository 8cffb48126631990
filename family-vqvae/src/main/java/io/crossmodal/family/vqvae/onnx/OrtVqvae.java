package io.crossmodal.family.vqvae.onnx;

import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.FRAME;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.FRAMES;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.FRAME_LOGMEL;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.LATENT;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.LATENTS;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.PREV_FRAME;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.SPEAKER;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.STATE;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.STATE_OUT;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.UNITS;
import static io.crossmodal.family.vqvae.onnx.VqvaeTensorNames.UNIT_IDS;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.crossmodal.runtime.onnx.InferenceException;
import io.crossmodal.runtime.onnx.OrtRuntime;
import io.crossmodal.runtime.onnx.SessionFactory;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the VQ-VAE graphs with ONNX Runtime (sessions from the runtime's {@link SessionFactory}).
 * Thread-safe (ORT sessions are); closes its sessions. Generation runs the decoder step graph
 * once per frame, feeding back the standardised frame and the state.
 */
public final class OrtVqvae implements AutoCloseable {

    /** Encoder output for a batch: continuous latents [B][L][D]; for VQ the ids [B][L] and unit vectors. */
    public record Encoded(float[][][] latents, long[][] ids, float[][][] units) {}

    private final OrtSession encoder;
    private final OrtSession units;
    private final OrtSession step;
    private final OrtSession speaker;
    private final int melBins;
    private final int latentDim;
    private final int stateSize;
    private final int downsample;

    public OrtVqvae(SessionFactory factory, VqvaeGraphs.Graphs graphs, int melBins, int latentDim, int stateSize, int downsample) {
        this.encoder = factory.create(graphs.encoder());
        this.units = graphs.units() == null ? null : factory.create(graphs.units());
        this.step = factory.create(graphs.decoderStep());
        this.speaker = factory.create(graphs.speaker());
        this.melBins = melBins;
        this.latentDim = latentDim;
        this.stateSize = stateSize;
        this.downsample = downsample;
    }

    public boolean quantised() {
        return units != null;
    }

    public int downsample() {
        return downsample;
    }

    /** Raw log-mel frames [B][T][M], T a multiple of the downsampling factor, all of one length. */
    public Encoded encode(float[][][] frames) {
        int b = frames.length;
        int t = frames[0].length;
        try (OnnxTensor in = OnnxTensor.createTensor(OrtRuntime.environment(), FloatBuffer.wrap(flatten(frames, t)),
                new long[] {b, t, melBins}); OrtSession.Result r = encoder.run(Map.of(FRAMES, in))) {
            int l = t / downsample;
            float[][][] lat = reshape(floats(r, LATENTS), b, l, latentDim);
            if (!quantised()) {
                return new Encoded(lat, null, null);
            }
            long[] ids = longs(r, UNIT_IDS);
            long[][] idRows = new long[b][l];
            for (int i = 0; i < b; i++) {
                System.arraycopy(ids, i * l, idRows[i], 0, l);
            }
            return new Encoded(lat, idRows, reshape(floats(r, UNITS), b, l, latentDim));
        } catch (OrtException e) {
            throw new InferenceException("VQ-VAE encoder failed: " + e.getMessage(), e);
        }
    }

    /** Codebook vectors [B][L][D] of unit ids (ids checked by the caller against the codebook size). */
    public float[][][] lookup(long[][] ids) {
        if (units == null) {
            throw new IllegalArgumentException("this model has no codebook (its bottleneck is not VQ)");
        }
        int b = ids.length;
        int l = ids[0].length;
        long[] flat = new long[b * l];
        for (int i = 0; i < b; i++) {
            System.arraycopy(ids[i], 0, flat, i * l, l);
        }
        try (OnnxTensor in = OnnxTensor.createTensor(OrtRuntime.environment(), LongBuffer.wrap(flat), new long[] {b, l});
                OrtSession.Result r = units.run(Map.of(UNIT_IDS, in))) {
            return reshape(floats(r, UNITS), b, l, latentDim);
        } catch (OrtException e) {
            throw new InferenceException("VQ-VAE unit lookup failed: " + e.getMessage(), e);
        }
    }

    /** The nearest training speaker (index) of each recording's raw frames [B][T][M]. */
    public long[] identifySpeakers(float[][][] frames) {
        int b = frames.length;
        int t = frames[0].length;
        try (OnnxTensor in = OnnxTensor.createTensor(OrtRuntime.environment(), FloatBuffer.wrap(flatten(frames, t)),
                new long[] {b, t, melBins}); OrtSession.Result r = speaker.run(Map.of(FRAMES, in))) {
            return longs(r, SPEAKER);
        } catch (OrtException e) {
            throw new InferenceException("VQ-VAE speaker lookup failed: " + e.getMessage(), e);
        }
    }

    /** One decoder step: standardised previous frame [B][M], latent [B][D], speakers, state -> frame, log-mel frame, state. */
    public record Step(float[][] frame, float[][] logMel, float[][] state) {}

    public Step step(float[][] prev, float[][] latent, long[] speakers, float[][] state) {
        int b = prev.length;
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put(PREV_FRAME, tensor(prev, melBins));
            in.put(LATENT, tensor(latent, latentDim));
            in.put(SPEAKER, OnnxTensor.createTensor(OrtRuntime.environment(), LongBuffer.wrap(speakers), new long[] {b}));
            in.put(STATE, tensor(state, stateSize));
            try (OrtSession.Result r = step.run(in)) {
                return new Step(rows(floats(r, FRAME), b, melBins), rows(floats(r, FRAME_LOGMEL), b, melBins),
                        rows(floats(r, STATE_OUT), b, stateSize));
            }
        } catch (OrtException e) {
            throw new InferenceException("VQ-VAE decoder step failed: " + e.getMessage(), e);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /** Raw log-mel frames [B][L * downsample][M] generated from latents [B][L][D] in the given voices. */
    public float[][][] generate(float[][][] latents, long[] speakers) {
        int b = latents.length;
        int l = latents[0].length;
        float[][] prev = new float[b][melBins];
        float[][] state = new float[b][stateSize];
        float[][][] out = new float[b][l * downsample][];
        float[][] lat = new float[b][];
        for (int t = 0; t < l * downsample; t++) {
            for (int i = 0; i < b; i++) {
                lat[i] = latents[i][t / downsample];
            }
            Step s = step(prev, lat, speakers, state);
            prev = s.frame();
            state = s.state();
            for (int i = 0; i < b; i++) {
                out[i][t] = s.logMel()[i];
            }
        }
        return out;
    }

    private static OnnxTensor tensor(float[][] rows, int cols) throws OrtException {
        float[] flat = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, expected " + cols);
            }
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return OnnxTensor.createTensor(OrtRuntime.environment(), FloatBuffer.wrap(flat), new long[] {rows.length, cols});
    }

    private float[] flatten(float[][][] x, int t) {
        float[] flat = new float[x.length * t * melBins];
        for (int b = 0; b < x.length; b++) {
            if (x[b].length != t) {
                throw new IllegalArgumentException("recording " + b + " has " + x[b].length + " frames, expected " + t);
            }
            for (int i = 0; i < t; i++) {
                if (x[b][i].length != melBins) {
                    throw new IllegalArgumentException("frame has " + x[b][i].length + " bins, expected " + melBins);
                }
                System.arraycopy(x[b][i], 0, flat, (b * t + i) * melBins, melBins);
            }
        }
        return flat;
    }

    private static float[] floats(OrtSession.Result r, String name) {
        FloatBuffer fb = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    private static long[] longs(OrtSession.Result r, String name) {
        LongBuffer lb = ((OnnxTensor) r.get(name).orElseThrow()).getLongBuffer();
        long[] out = new long[lb.remaining()];
        lb.get(out);
        return out;
    }

    private static float[][] rows(float[] flat, int n, int cols) {
        float[][] out = new float[n][cols];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * cols, out[i], 0, cols);
        }
        return out;
    }

    private static float[][][] reshape(float[] flat, int b, int l, int d) {
        float[][][] out = new float[b][l][d];
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < l; t++) {
                System.arraycopy(flat, (i * l + t) * d, out[i][t], 0, d);
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (OrtSession s : new OrtSession[] {encoder, units, step, speaker}) {
            if (s != null) {
                try {
                    s.close();
                } catch (OrtException e) {
                    throw new InferenceException("failed to close VQ-VAE session", e);
                }
            }
        }
    }
}
