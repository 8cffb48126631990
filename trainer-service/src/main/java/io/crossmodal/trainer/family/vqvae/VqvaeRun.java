package io.crossmodal.trainer.family.vqvae;

import ai.djl.ndarray.NDManager;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.family.vqvae.train.VqvaeTrainer;
import io.crossmodal.trainer.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One model end to end: train (or resume) and evaluate. */
public final class VqvaeRun {

    private VqvaeRun() {
    }

    public static Map<String, Double> trainAndEvaluate(VqvaeConfig cfg, VqvaeData data, NDManager m, Path runDir, String label,
            ProgressListener progress) throws IOException {
        try (NDManager sub = m.newSubManager()) {
            VqvaeTrainer.Result r = new VqvaeTrainer(cfg, data, progress, label).train(sub, runDir);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("held_out_loss", r.history().get(r.history().size() - 1).dev());
            metrics.put("train_seconds", r.seconds());
            metrics.put("reinitialised_codes", (double) r.reinitialisedCodes());
            return metrics;
        }
    }
}
