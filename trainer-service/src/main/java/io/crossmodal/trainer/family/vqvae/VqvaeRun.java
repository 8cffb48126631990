package io.crossmodal.trainer.family.vqvae;

import ai.djl.ndarray.NDManager;
import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.family.vqvae.eval.VqvaeEvaluator;
import io.crossmodal.trainer.family.vqvae.study.VqvaeStudy;
import io.crossmodal.trainer.family.vqvae.train.VqvaeExport;
import io.crossmodal.trainer.family.vqvae.train.VqvaeTrainer;
import io.crossmodal.trainer.progress.ProgressListener;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model end to end: train (or resume), measure (probes with the last two speakers held out of
 * the digit probe, reconstruction, codebook use, bit rate), write the ONNX graphs to
 * {@code runDir/export} and, with a registry target, the model as the next version of a bundle
 * there ({@code vqvae-train --registry DIR [--model NAME]}), with the measurements as its metrics.
 */
public final class VqvaeRun {

    /** Where the trained model goes as a servable bundle. */
    public record RegistryTarget(Path dir, String model) {}

    private VqvaeRun() {
    }

    public static Map<String, Double> trainAndEvaluate(VqvaeConfig cfg, VqvaeData data, NDManager m, Path runDir, String label,
            ProgressListener progress, RegistryTarget registry, PrintStream out) throws IOException {
        try (NDManager sub = m.newSubManager()) {
            VqvaeTrainer.Result r = new VqvaeTrainer(cfg, data, progress, label).train(sub, runDir);
            List<String> speakers = data.speakers();
            List<String> heldOut = speakers.subList(Math.max(0, speakers.size() - 2), speakers.size());
            double seconds = VqvaeStudy.meanTrimmedSeconds(Path.of(cfg.speechDir()), VqvaeData.features(cfg));
            Map<String, Double> metrics = new LinkedHashMap<>(new VqvaeEvaluator(data, heldOut, seconds).evaluate(r.net(), sub,
                    cfg.seed()));
            metrics.put("held_out_loss", r.history().get(r.history().size() - 1).dev());
            metrics.put("train_seconds", r.seconds());
            metrics.put("reinitialised_codes", (double) r.reinitialisedCodes());
            VqvaeWeights w = VqvaeExport.weights(r.net(), data);
            VqvaeGraphs.Graphs g = VqvaeGraphs.build(w);
            Path export = runDir.resolve("export");
            Files.createDirectories(export);
            Files.write(export.resolve("encoder.onnx"), g.encoder());
            Files.write(export.resolve("decoder_step.onnx"), g.decoderStep());
            Files.write(export.resolve("speaker.onnx"), g.speaker());
            if (g.units() != null) {
                Files.write(export.resolve("units.onnx"), g.units());
            }
            if (registry != null) {
                Bundle b = VqvaeExport.toRegistry(registry.dir(), registry.model(), w, g, metrics);
                out.println("registry: " + registry.dir() + " model " + b.model() + " version " + b.version());
            }
            return metrics;
        }
    }
}
