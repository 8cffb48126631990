package io.crossmodal.trainer.family.pvae;

import ai.djl.ndarray.NDManager;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.family.pvae.model.PvaeWeights;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.trainer.family.pvae.data.PvaeData;
import io.crossmodal.trainer.family.pvae.eval.DigitClassifier;
import io.crossmodal.trainer.family.pvae.eval.PvaeEvaluator;
import io.crossmodal.trainer.family.pvae.train.PvaeExport;
import io.crossmodal.trainer.family.pvae.train.PvaeTrainer;
import io.crossmodal.trainer.progress.ProgressListener;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** One model end to end: train (or resume), export the ONNX graphs, evaluate them on test data. */
public final class PvaeRun {

    /** Epochs of the digit classifier that judges generated images. */
    public static final int CLASSIFIER_EPOCHS = 5;

    private PvaeRun() {
    }

    public static Map<String, Double> trainAndEvaluate(PvaeConfig cfg, PvaeData data, NDManager m, Path runDir, Path figures,
            String label, ProgressListener progress, PrintStream out) throws IOException {
        return trainAndEvaluate(cfg, data, m, runDir, figures, label, progress, out, null);
    }

    public static Map<String, Double> trainAndEvaluate(PvaeConfig cfg, PvaeData data, NDManager m, Path runDir, Path figures,
            String label, ProgressListener progress, PrintStream out, RegistryTarget registry) throws IOException {
        DigitClassifier clf = DigitClassifier.train(data.classifierTrain(), data.imageTest(), CLASSIFIER_EPOCHS, 99, m);
        out.printf(Locale.ROOT, "digit classifier (MNIST train images, %d epochs): test accuracy %.4f%n", CLASSIFIER_EPOCHS,
                clf.testAccuracy());
        return trainAndEvaluate(cfg, data, clf, m, runDir, figures, label, progress, registry);
    }

    public static Map<String, Double> trainAndEvaluate(PvaeConfig cfg, PvaeData data, DigitClassifier clf, NDManager m,
            Path runDir, Path figures, String label, ProgressListener progress) throws IOException {
        return trainAndEvaluate(cfg, data, clf, m, runDir, figures, label, progress, null);
    }

    /** Where {@code pvae-train --registry DIR --model NAME} puts the trained model as a servable bundle. */
    public record RegistryTarget(Path dir, String model) {}

    /** As above, and writes the model as the next version in {@code registry} (null: none). */
    public static Map<String, Double> trainAndEvaluate(PvaeConfig cfg, PvaeData data, DigitClassifier clf, NDManager m,
            Path runDir, Path figures, String label, ProgressListener progress, RegistryTarget registry) throws IOException {
        try (NDManager sub = m.newSubManager()) {
            PvaeTrainer.Result r = new PvaeTrainer(cfg, data, progress).train(sub, runDir);
            PvaeWeights w = r.net().toWeights(data.speechNorm(), data.frames(), data.melBins());
            OrtPvae.Graphs graphs = PvaeExport.graphs(w);
            Map<String, Double> metrics = new LinkedHashMap<>();
            try (OrtPvae ort = new OrtPvae(SessionFactory.cpu(), graphs, data.frames(), data.melBins())) {
                metrics.putAll(new PvaeEvaluator(data, clf, sub, cfg.seed()).evaluate(ort, figures, label));
            }
            metrics.put("classifier_test_accuracy", clf.testAccuracy());
            metrics.put("train_seconds", r.seconds());
            PvaeExport.write(runDir.resolve("export"), cfg.variant(), w, graphs, data.speechSource(), new LinkedHashMap<>(metrics));
            if (registry != null) {
                PvaeExport.toRegistry(registry.dir(), registry.model(), w, graphs, metrics);
            }
            return metrics;
        }
    }
}
