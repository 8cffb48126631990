package io.crossmodal.trainer.export;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.bundle.ComponentSpecs;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.lifecycle.ModelLifecycle;
import io.crossmodal.lifecycle.Provenance;
import io.crossmodal.family.seq2seq.onnx.PriorGraphs;
import io.crossmodal.family.seq2seq.onnx.PriorWeights;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqGraphs;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqWeights;
import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.trainer.job.Seq2SeqJob.TrainedModels;
import io.crossmodal.trainer.model.PriorBlock;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.model.WeightExtractor;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.family.TrainingFamily;
import java.nio.file.Path;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns trained seq2seq DJL components into ONNX graphs, and registers any family's bundle content,
 * with the manifest and the lineage, as one bundle in the registry (atomically; see
 * {@link ModelLifecycle#register}).
 */
public final class BundleExporter {
    public static final String GRAPHEMES = "graphemes";
    public static final String PHONEMES = "phonemes";

    private BundleExporter() {}

    /** The graphs of every trained component, keyed by component, then by bundle file name. */
    public record Graphs(Map<String, ComponentSpec> specs, Map<String, byte[]> files) {}

    public static Graphs graphs(TrainedModels m) {
        Map<String, ComponentSpec> specs = new LinkedHashMap<>();
        Map<String, byte[]> files = new LinkedHashMap<>();
        m.models.forEach((component, model) -> {
            if (model.getBlock() instanceof Seq2SeqBlock s) {
                Seq2SeqWeights w = WeightExtractor.seq2seq(s);
                byte[] enc = Seq2SeqGraphs.encoder(w);
                byte[] dec = Seq2SeqGraphs.decoderStep(w);
                boolean g2p = component.equals("g2p");
                specs.put(component, ComponentSpecs.seq2seq(component, enc, dec, w.sizes(),
                        g2p ? GRAPHEMES : PHONEMES, g2p ? PHONEMES : GRAPHEMES));
                files.put(ComponentSpecs.encoderFile(component), enc);
                files.put(ComponentSpecs.decoderStepFile(component), dec);
            } else if (model.getBlock() instanceof PriorBlock p) {
                PriorWeights w = WeightExtractor.prior(p);
                byte[] step = PriorGraphs.step(w);
                specs.put(component, ComponentSpecs.prior(component, step, w.sizes(), GRAPHEMES));
                files.put(ComponentSpecs.stepFile(component), step);
            }
        });
        return new Graphs(specs, files);
    }

    /** The vocabularies the components refer to. */
    public static Map<String, List<String>> vocabularies(TrainedModels m) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put(GRAPHEMES, m.data.graphemes.symbols());
        out.put(PHONEMES, m.data.phonemes.symbols());
        return out;
    }

    /** The split's fingerprint ({@code split}) and each part's hash. */
    public static Map<String, String> fingerprint(TrainedModels m) {
        Map<String, String> fp = new LinkedHashMap<>();
        fp.put("split", m.data.split.fingerprint());
        for (SplitName n : SplitName.values()) {
            fp.put(n.key(), m.data.split.hash(n));
        }
        return fp;
    }

    /**
     * Registers a family's bundle content as {@code actor} (lineage, alias history and the
     * ModelRegistered event record it), for any family.
     */
    public static Bundle register(JobConfig cfg, TrainingFamily.BundleContent content, Path registry, Map<String, Object> metrics,
            String actor) {
        Manifest.Builder b = Manifest.builder(cfg.family()).trainingConfig(cfg.toMap());
        content.vocabularies().forEach(b::vocabulary);
        content.components().forEach(b::component);
        metrics.forEach(b::metric);
        b.dataFingerprint(content.dataFingerprint());
        content.serving().forEach(b::serving);
        Map<String, FileContent> files = new LinkedHashMap<>();
        content.files().forEach((name, bytes) -> files.put(name, FileContent.of(bytes)));
        // registration: the bundle with its lineage, the candidate alias and the ModelRegistered event
        return new ModelLifecycle(registry).register(cfg.name(), b.build(), files, actor, Provenance.sourceCommit());
    }
}
