package io.crossmodal.trainer.family.vqvae.eval;

import ai.djl.ndarray.NDManager;
import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.features.audio.GriffinLim;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.trainer.family.pvae.data.SpokenDigit;
import io.crossmodal.trainer.family.vqvae.VqvaeConfig;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.family.vqvae.model.VqvaeNet;
import io.crossmodal.trainer.family.vqvae.train.ParamsFile;
import io.crossmodal.trainer.family.vqvae.train.VqvaeExport;
import io.crossmodal.trainer.family.vqvae.train.VqvaeTrainer;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The listening and looking material of the study, made with the exported ONNX graphs (what the
 * services run): one test recording's log-mel frames, their free-running reconstruction in the
 * speaker's own voice, and a voice conversion (its units decoded in another training speaker's
 * voice); a spectrogram PNG of the three and a WAV of each (Griffin-Lim, 8 kHz; the input too is
 * inverted from its log-mel frames, so the three sound alike in quality and no dataset file is copied).
 */
public final class VqvaeFigures {

    private VqvaeFigures() {
    }

    /** Writes {@code spectrograms.png}, {@code input.wav}, {@code reconstruction.wav}, {@code voice-conversion.wav}; returns a caption. */
    public static String write(VqvaeConfig cfg, Path runDir, VqvaeData data, String targetSpeaker, Path outDir) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            VqvaeNet net = new VqvaeNet(cfg, data.speakers().size(), m);
            ParamsFile.load(VqvaeTrainer.savedArrays(net), runDir.resolve("checkpoints/last.params"));
            VqvaeWeights w = VqvaeExport.weights(net, data);
            SpokenDigit pick = data.test().stream().filter(d -> !d.speaker().equals(targetSpeaker) && d.digit() == 3)
                    .findFirst().orElse(data.test().get(0));
            float[][] input = rows(pick.features(), data.frames(), data.melBins());
            int own = data.speakerIndex(pick.speaker());
            int other = data.speakerIndex(targetSpeaker);
            float[][] recon;
            float[][] converted;
            long[] ids;
            try (OrtVqvae ort = new OrtVqvae(SessionFactory.cpu(), VqvaeGraphs.build(w), data.melBins(), cfg.latentDim(),
                    w.stateSize(), cfg.downsample())) {
                OrtVqvae.Encoded e = ort.encode(new float[][][] {input});
                float[][][] z = e.units() != null ? e.units() : e.latents();
                float[][][] out = ort.generate(new float[][][] {z[0], z[0]}, new long[] {own, other});
                recon = out[0];
                converted = out[1];
                ids = e.ids() == null ? null : e.ids()[0];
            }
            Files.createDirectories(outDir);
            GriffinLim gl = new GriffinLim(data.fbank(), 8000, 32);
            Files.write(outDir.resolve("input.wav"), GriffinLim.wav(gl.invert(input), 8000));
            Files.write(outDir.resolve("reconstruction.wav"), GriffinLim.wav(gl.invert(recon), 8000));
            Files.write(outDir.resolve("voice-conversion.wav"), GriffinLim.wav(gl.invert(converted), 8000));
            spectrograms(List.of(input, recon, converted), List.of("input: digit " + pick.digit() + ", " + pick.speaker(),
                    "reconstruction (" + pick.speaker() + ")", "voice conversion (" + targetSpeaker + ")"),
                    outDir.resolve("spectrograms.png"));
            return String.format(Locale.ROOT, "test recording digit %d, speaker %s, take %d; units %s; converted to %s",
                    pick.digit(), pick.speaker(), pick.take(), ids == null ? "(continuous)" : java.util.Arrays.toString(ids),
                    targetSpeaker);
        }
    }

    private static float[][] rows(float[] flat, int t, int m) {
        float[][] out = new float[t][m];
        for (int i = 0; i < t; i++) {
            System.arraycopy(flat, i * m, out[i], 0, m);
        }
        return out;
    }

    /** Log-mel panels side by side, low frequencies at the bottom, one colour scale over all three. */
    static void spectrograms(List<float[][]> panels, List<String> titles, Path png) throws IOException {
        int sx = 6;
        int sy = 4;
        int t = panels.get(0).length;
        int m = panels.get(0)[0].length;
        int pad = 24;
        int w = panels.size() * (t * sx + pad) + pad;
        int h = m * sy + 2 * pad;
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (float[][] p : panels) {
            for (float[] row : p) {
                for (float v : row) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int p = 0; p < panels.size(); p++) {
            int x0 = pad + p * (t * sx + pad);
            for (int i = 0; i < t; i++) {
                for (int b = 0; b < m; b++) {
                    float v = (panels.get(p)[i][b] - lo) / Math.max(1e-6f, hi - lo);
                    g.setColor(Color.getHSBColor(0.7f - 0.7f * v, 0.9f, 0.2f + 0.8f * v));
                    g.fillRect(x0 + i * sx, pad + (m - 1 - b) * sy, sx, sy);
                }
            }
            g.setColor(Color.BLACK);
            g.drawString(titles.get(p), x0, pad - 6);
        }
        g.dispose();
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        javax.imageio.ImageIO.write(img, "png", tmp.toFile());
        Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
