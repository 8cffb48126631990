package io.crossmodal.trainer.family.vqvae.train;

import ai.djl.ndarray.NDArray;
import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.runtime.onnx.FloatTensor;
import io.crossmodal.runtime.onnx.Linear;
import io.crossmodal.trainer.family.pvae.data.SpokenDigit;
import io.crossmodal.trainer.family.vqvae.VqvaeConfig;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.family.vqvae.model.VqvaeNet;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.family.vqvae.serving.VqvaeBundleLayout;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A trained {@link VqvaeNet} as the plain {@link VqvaeWeights} the family module's graph builders take. */
public final class VqvaeExport {

    private VqvaeExport() {
    }

    public static VqvaeWeights weights(VqvaeNet net, VqvaeData data) {
        return weights(net, data.mean(), data.std(), data.speakers(), centroids(data));
    }

    public static VqvaeWeights weights(VqvaeNet net, float[] mean, float[] std, List<String> speakers, float[][] centroids) {
        VqvaeConfig cfg = net.config();
        Map<String, NDArray> p = net.parameters();
        List<VqvaeWeights.Conv> convs = new ArrayList<>();
        int stages = Integer.numberOfTrailingZeros(cfg.downsample());
        for (int i = 0; i <= stages; i++) {
            convs.add(conv(p, "enc." + i));
        }
        VqvaeWeights.Conv head = conv(p, cfg.bottleneck().equals("vae") ? "enc.mean" : "enc.out");
        FloatTensor codebook = net.codebook() == null ? null : tensor(net.codebook());
        return new VqvaeWeights(cfg.bottleneck(), cfg.cell(), cfg.frames(), cfg.downsample(), mean, std, convs, head, codebook,
                tensor(p.get("spk.E")), speakers, FloatTensor.of(centroids), tensor(p.get("rnn.w_ih")),
                tensor(p.get("rnn.w_hh")), tensor(p.get("rnn.b_ih")), tensor(p.get("rnn.b_hh")),
                new Linear(tensor(p.get("out.W")), tensor(p.get("out.b"))));
    }

    /** Writes the model as the next version of {@code model} in the registry at {@code registryDir} (manifest family "vqvae"). */
    public static Bundle toRegistry(java.nio.file.Path registryDir, String model, VqvaeWeights w, VqvaeGraphs.Graphs g,
            Map<String, Double> metrics) {
        var content = VqvaeBundleLayout.content(w, g, Map.of());
        Manifest.Builder draft = content.manifest().createdAt(Instant.now());
        metrics.forEach(draft::metric);
        Map<String, FileContent> files = new LinkedHashMap<>();
        content.files().forEach((name, bytes) -> files.put(name, FileContent.of(bytes)));
        return new BundleWriter(registryDir).write(model, draft.build(), files);
    }

    /** Each speaker's mean standardised frame over the training recordings [S][M]. */
    public static float[][] centroids(VqvaeData data) {
        int m = data.melBins();
        float[][] sum = new float[data.speakers().size()][m];
        int[] n = new int[sum.length];
        for (SpokenDigit d : data.train()) {
            int s = data.speakerIndex(d.speaker());
            float[] x = data.normalized(d);
            for (int i = 0; i < x.length; i++) {
                sum[s][i % m] += x[i];
            }
            n[s] += data.frames();
        }
        for (int s = 0; s < sum.length; s++) {
            for (int b = 0; b < m; b++) {
                sum[s][b] /= Math.max(1, n[s]);
            }
        }
        return sum;
    }

    private static VqvaeWeights.Conv conv(Map<String, NDArray> p, String name) {
        return new VqvaeWeights.Conv(tensor(p.get(name + ".W")), tensor(p.get(name + ".b")));
    }

    private static FloatTensor tensor(NDArray a) {
        long[] s = a.getShape().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = (int) s[i];
        }
        return FloatTensor.of(a.toFloatArray(), shape);
    }
}
