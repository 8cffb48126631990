package io.crossmodal.family.pvae.onnx;

import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.FRAMES;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.IMAGE;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.SHARED;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.SHARED_LOGVAR;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.SHARED_MEAN;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.STYLE;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.STYLE_LOGVAR;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.STYLE_MEAN;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.crossmodal.runtime.onnx.InferenceException;
import io.crossmodal.runtime.onnx.OrtRuntime;
import io.crossmodal.runtime.onnx.SessionFactory;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the PVAE graphs with ONNX Runtime (sessions from core's {@link SessionFactory}, so CPU or
 * CUDA comes from configuration). Any graph may be absent (null): a speech-only model has no
 * image parts, and calling one that is absent is an {@link IllegalArgumentException} that says so.
 * Thread-safe (ORT sessions are); closes its sessions.
 */
public final class OrtPvae implements AutoCloseable {

    /** The graphs of one model, any of them null. */
    public record Graphs(byte[] speechEncoder, byte[] imageEncoder, byte[] speechDecoder, byte[] imageDecoder) {}

    private final OrtSession speechEncoder;
    private final OrtSession imageEncoder;
    private final OrtSession speechDecoder;
    private final OrtSession imageDecoder;
    private final int frames;
    private final int melBins;

    public OrtPvae(SessionFactory factory, Graphs graphs, int frames, int melBins) {
        this.speechEncoder = graphs.speechEncoder() == null ? null : factory.create(graphs.speechEncoder());
        this.imageEncoder = graphs.imageEncoder() == null ? null : factory.create(graphs.imageEncoder());
        this.speechDecoder = graphs.speechDecoder() == null ? null : factory.create(graphs.speechDecoder());
        this.imageDecoder = graphs.imageDecoder() == null ? null : factory.create(graphs.imageDecoder());
        this.frames = frames;
        this.melBins = melBins;
    }

    /** Speech [B][frames][melBins] (raw log-mel, fixed length) to latents. */
    public Latents encodeSpeech(float[][][] x) {
        require(speechEncoder, "a speech encoder");
        float[] flat = new float[x.length * frames * melBins];
        for (int b = 0; b < x.length; b++) {
            for (int t = 0; t < frames; t++) {
                if (x[b][t].length != melBins) {
                    throw new IllegalArgumentException("frame has " + x[b][t].length + " bins, expected " + melBins);
                }
                System.arraycopy(x[b][t], 0, flat, (b * frames + t) * melBins, melBins);
            }
        }
        return encode(speechEncoder, FRAMES, flat, new long[] {x.length, frames, melBins}, x.length);
    }

    /** Images [B][784] (row-major 28x28, in [0, 1]) to latents. */
    public Latents encodeImages(float[][] images) {
        require(imageEncoder, "an image encoder");
        return encode(imageEncoder, IMAGE, flatten(images, 784), new long[] {images.length, 28, 28}, images.length);
    }

    /** Latents to images [B][784]. */
    public float[][] decodeImages(float[][] shared, float[][] style) {
        require(imageDecoder, "an image decoder");
        return rows(decode(imageDecoder, IMAGE, shared, style), shared.length, 784);
    }

    /** Latents to speech frames [B][frames][melBins]. */
    public float[][][] decodeSpeech(float[][] shared, float[][] style) {
        require(speechDecoder, "a speech decoder");
        float[] flat = decode(speechDecoder, FRAMES, shared, style);
        float[][][] out = new float[shared.length][frames][melBins];
        for (int b = 0; b < shared.length; b++) {
            for (int t = 0; t < frames; t++) {
                System.arraycopy(flat, (b * frames + t) * melBins, out[b][t], 0, melBins);
            }
        }
        return out;
    }

    public boolean hasSpeech() {
        return speechEncoder != null;
    }

    public boolean hasImages() {
        return imageEncoder != null;
    }

    private static void require(OrtSession s, String what) {
        if (s == null) {
            throw new IllegalArgumentException("this model has no " + what.substring(what.indexOf(' ') + 1)
                    + " (it was trained without that modality)");
        }
    }

    private static Latents encode(OrtSession s, String input, float[] flat, long[] shape, int n) {
        try (OnnxTensor t = OnnxTensor.createTensor(OrtRuntime.environment(), FloatBuffer.wrap(flat), shape);
                OrtSession.Result r = s.run(Map.of(input, t))) {
            boolean style = r.get(STYLE_MEAN).isPresent();
            return new Latents(out(r, SHARED_MEAN, n), out(r, SHARED_LOGVAR, n),
                    style ? out(r, STYLE_MEAN, n) : null, style ? out(r, STYLE_LOGVAR, n) : null);
        } catch (OrtException e) {
            throw new InferenceException("PVAE encoder failed: " + e.getMessage(), e);
        }
    }

    private static float[] decode(OrtSession s, String output, float[][] shared, float[][] style) {
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put(SHARED, tensor(shared));
            if (s.getInputNames().contains(STYLE)) {
                if (style == null) {
                    throw new IllegalArgumentException("this decoder needs a style latent");
                }
                if (style.length != shared.length) {
                    throw new IllegalArgumentException("shared and style latents differ in batch size");
                }
                in.put(STYLE, tensor(style));
            }
            try (OrtSession.Result r = s.run(in)) {
                FloatBuffer fb = ((OnnxTensor) r.get(output).orElseThrow()).getFloatBuffer();
                float[] out = new float[fb.remaining()];
                fb.get(out);
                return out;
            }
        } catch (OrtException e) {
            throw new InferenceException("PVAE decoder failed: " + e.getMessage(), e);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor tensor(float[][] rows) throws OrtException {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        return OnnxTensor.createTensor(OrtRuntime.environment(), FloatBuffer.wrap(flatten(rows, cols)),
                new long[] {rows.length, cols});
    }

    private static float[][] out(OrtSession.Result r, String name, int n) throws OrtException {
        FloatBuffer fb = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
        float[] flat = new float[fb.remaining()];
        fb.get(flat);
        return rows(flat, n, flat.length / Math.max(n, 1));
    }

    private static float[] flatten(float[][] rows, int cols) {
        float[] out = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, expected " + cols);
            }
            System.arraycopy(rows[i], 0, out, i * cols, cols);
        }
        return out;
    }

    private static float[][] rows(float[] flat, int n, int cols) {
        float[][] out = new float[n][cols];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * cols, out[i], 0, cols);
        }
        return out;
    }

    @Override
    public void close() {
        for (OrtSession s : new OrtSession[] {speechEncoder, imageEncoder, speechDecoder, imageDecoder}) {
            if (s != null) {
                try {
                    s.close();
                } catch (OrtException e) {
                    throw new InferenceException("failed to close PVAE session", e);
                }
            }
        }
    }
}
