package io.crossmodal.family.pvae.onnx;

import static io.crossmodal.family.pvae.onnx.GraphBuilder.attr;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.FRAMES;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.IMAGE;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.SHARED;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.SHARED_LOGVAR;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.SHARED_MEAN;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.STYLE;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.STYLE_LOGVAR;
import static io.crossmodal.family.pvae.onnx.PvaeTensorNames.STYLE_MEAN;

import io.crossmodal.runtime.onnx.Linear;
import io.crossmodal.family.pvae.model.DecoderWeights;
import io.crossmodal.family.pvae.model.EncoderWeights;
import io.crossmodal.family.pvae.model.GaussianHead;
import io.crossmodal.family.pvae.model.Mlp;
import io.crossmodal.family.pvae.model.Normalizer;

/**
 * Builds the PVAE's four serving graphs from plain weights (opset 17; only Reshape, Sub, Div,
 * Gemm, Relu, Concat, Sigmoid, Mul, Add, which the CPU and CUDA providers both implement):
 * <ul>
 * <li>speech encoder: {@code frames} [B, T, M] -> {@code shared_mean}, {@code shared_logvar} [B, S]
 * (+ {@code style_mean}, {@code style_logvar} [B, D] when the model has a style partition);</li>
 * <li>image encoder: {@code image} [B, 28, 28] -> the same outputs;</li>
 * <li>speech decoder: {@code shared} [B, S] (+ {@code style} [B, D]) -> {@code frames} [B, T, M];</li>
 * <li>image decoder: {@code shared} (+ {@code style}) -> {@code image} [B, 28, 28].</li>
 * </ul>
 */
public final class PvaeGraphs {

    private PvaeGraphs() {
    }

    /** Every graph the model has (a part it lacks, e.g. a speech-only VAE's image encoder, is null). */
    public static OrtPvae.Graphs all(io.crossmodal.family.pvae.model.PvaeWeights w) {
        return new OrtPvae.Graphs(
                w.speechEncoder() == null ? null : speechEncoder(w.speechEncoder(), w.frames(), w.melBins()),
                w.imageEncoder() == null ? null : imageEncoder(w.imageEncoder()),
                w.speechDecoder() == null ? null : speechDecoder(w.speechDecoder(), w.frames(), w.melBins()),
                w.imageDecoder() == null ? null : imageDecoder(w.imageDecoder()));
    }

    public static byte[] speechEncoder(EncoderWeights w, int frames, int melBins) {
        return encoder("speech_encoder", FRAMES, new Object[] {"B", frames, melBins}, w);
    }

    public static byte[] imageEncoder(EncoderWeights w) {
        return encoder("image_encoder", IMAGE, new Object[] {"B", 28, 28}, w);
    }

    public static byte[] speechDecoder(DecoderWeights w, int frames, int melBins) {
        return decoder("speech_decoder", FRAMES, new int[] {frames, melBins}, w);
    }

    public static byte[] imageDecoder(DecoderWeights w) {
        return decoder("image_decoder", IMAGE, new int[] {28, 28}, w);
    }

    private static byte[] encoder(String name, String input, Object[] dims, EncoderWeights w) {
        GraphBuilder g = new GraphBuilder(name);
        g.input(input, dims);
        String flat = g.op("Reshape", null, input, g.int64s("flat_shape", 0, -1));
        Normalizer n = w.input();
        String centred = g.op("Sub", null, flat, g.floats("in_mean", n.mean(), n.size()));
        String h = g.op("Div", null, centred, g.floats("in_std", n.std(), n.size()));
        h = mlp(g, "pre", w.preEncoder(), h, true);
        head(g, "shared", w.shared(), h, SHARED_MEAN, SHARED_LOGVAR);
        g.output(SHARED_MEAN, "B", w.shared().dim()).output(SHARED_LOGVAR, "B", w.shared().dim());
        if (w.hasStyle()) {
            head(g, "style", w.style(), h, STYLE_MEAN, STYLE_LOGVAR);
            g.output(STYLE_MEAN, "B", w.style().dim()).output(STYLE_LOGVAR, "B", w.style().dim());
        }
        return g.build("crossmodal-pvae-" + name);
    }

    private static byte[] decoder(String name, String output, int[] outDims, DecoderWeights w) {
        GraphBuilder g = new GraphBuilder(name);
        g.input(SHARED, "B", w.sharedDim());
        String z = SHARED;
        if (w.styleDim() > 0) {
            g.input(STYLE, "B", w.styleDim());
            z = g.op("Concat", null, new String[] {SHARED, STYLE}, attr("axis", 1));
        }
        String y = mlp(g, "dec", w.net(), z, false);
        if (w.sigmoid()) {
            y = g.op("Sigmoid", null, y);
        }
        if (w.output() != null) {
            Normalizer n = w.output();
            String scaled = g.op("Mul", null, y, g.floats("out_std", n.std(), n.size()));
            y = g.op("Add", null, scaled, g.floats("out_mean", n.mean(), n.size()));
        }
        long[] shape = new long[outDims.length + 1];
        for (int i = 0; i < outDims.length; i++) {
            shape[i + 1] = outDims[i];
        }
        g.op("Reshape", output, y, g.int64s("out_shape", shape));
        Object[] dims = new Object[outDims.length + 1];
        dims[0] = "B";
        for (int i = 0; i < outDims.length; i++) {
            dims[i + 1] = outDims[i];
        }
        g.output(output, dims);
        return g.build("crossmodal-pvae-" + name);
    }

    /** Gemm per layer, ReLU between layers; {@code reluLast} also after the last (pre-encoders). */
    private static String mlp(GraphBuilder g, String prefix, Mlp m, String x, boolean reluLast) {
        String h = x;
        for (int i = 0; i < m.layers().size(); i++) {
            h = gemm(g, prefix + i, m.layers().get(i), h, null);
            if (i < m.layers().size() - 1 || reluLast) {
                h = g.op("Relu", null, h);
            }
        }
        return h;
    }

    private static void head(GraphBuilder g, String prefix, GaussianHead head, String h, String mean, String logVar) {
        gemm(g, prefix + "_mean", head.mean(), h, mean);
        gemm(g, prefix + "_logvar", head.logVar(), h, logVar);
    }

    private static String gemm(GraphBuilder g, String prefix, Linear l, String x, String out) {
        String w = g.floats(prefix + "_W", l.w().data(), l.outFeatures(), l.inFeatures());
        if (l.hasBias()) {
            String b = g.floats(prefix + "_b", l.b().data(), l.outFeatures());
            return g.op("Gemm", out, new String[] {x, w, b}, attr("transB", 1));
        }
        return g.op("Gemm", out, new String[] {x, w}, attr("transB", 1));
    }
}
