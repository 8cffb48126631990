package io.crossmodal.trainer.family.seq2seq;

import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.family.seq2seq.lexicon.PronunciationLexicon;
import io.crossmodal.family.seq2seq.onnx.EnsembleGraphs;
import io.crossmodal.family.seq2seq.onnx.OrtSeq2Seq;
import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.family.seq2seq.serving.ScoredSequence;
import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.bundle.ComponentSpecs;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.export.BundleExporter;
import io.crossmodal.trainer.family.TrainingFamily;
import io.crossmodal.trainer.job.Evaluation;
import io.crossmodal.trainer.job.Machine;
import io.crossmodal.trainer.job.RegisteredPredictors;
import io.crossmodal.trainer.job.Seq2SeqData;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.progress.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * A seq2seq job with {@code train.ensemble} ({@link JobConfig.Ensemble}): registered members composed into one graph
 * pair per component ({@link EnsembleGraphs}) and registered as an ordinary seq2seq bundle, so the ensemble is served,
 * batched, gated and rolled back like any single model. Nothing is trained.
 *
 * <p>Before the bundle can be registered, the composed graphs must reproduce, on {@code checkWords} dev words, the beam
 * answers of the members searched together by {@code EnsembleStepModel} (the code path {@code evaluate
 * --ensemble-with} and distillation use): the same best answer, or a tie within {@link #TIE}.
 */
final class ComposedEnsemble implements TrainingFamily.Trained {
    private static final Logger LOG = Logger.getLogger(ComposedEnsemble.class);
    static final String OPTION = "train.ensemble.members";
    /** Log-probability difference below which two different best answers count as a tie between the two engines. */
    static final double TIE = 1e-3;

    private final JobConfig cfg;
    private final Seq2SeqData data;
    /** The members, loaded (checksums verified) and checked once, in the config's order. */
    private final List<Bundle> members;
    private final long startNanos;
    private final Map<String, Object> metrics = new LinkedHashMap<>();
    private final ProgressListener progress;

    private ComposedEnsemble(JobConfig cfg, Seq2SeqData data, List<Bundle> members, ProgressListener progress,
            long startNanos) {
        this.cfg = cfg;
        this.data = data;
        this.members = List.copyOf(members);
        this.progress = progress;
        this.startNanos = startNanos;
    }

    /** Checks every member against the job's split and vocabularies now, before anything is composed. */
    static ComposedEnsemble compose(JobConfig cfg, Seq2SeqData data, ProgressListener progress, long startNanos) {
        ModelRegistry registry = new ModelRegistry(Path.of(cfg.registryDir()));
        List<Bundle> members = new ArrayList<>();
        for (String ref : cfg.train().ensemble().members()) {
            Bundle b = RegisteredPredictors.bundle(registry, ref, data.split.fingerprint(), OPTION);
            members.add(b);
            if (!Seq2SeqTrainingFamily.NAME.equals(b.manifest().family())) {
                throw new IllegalArgumentException(OPTION + ": " + ref + " is a " + b.manifest().family() + " bundle, not seq2seq");
            }
            for (String component : cfg.components()) {
                ComponentSpec spec = b.manifest().components().get(component);
                if (spec == null || !ComponentSpec.TYPE_SEQ2SEQ.equals(spec.type())) {
                    throw new IllegalArgumentException(OPTION + ": " + ref + " has no seq2seq component '" + component + "'");
                }
                requireVocabulary(ref, b, spec.sourceVocabulary(), component.equals("g2p") ? data.graphemes : data.phonemes);
                requireVocabulary(ref, b, spec.targetVocabulary(), component.equals("g2p") ? data.phonemes : data.graphemes);
            }
        }
        ComposedEnsemble composed = new ComposedEnsemble(cfg, data, members, progress, startNanos);
        // an alias in the config may move later: the manifest records the versions actually composed
        composed.metrics.put("ensemble.members", String.join(",", members.stream().map(b -> b.model() + "/" + b.version()).toList()));
        return composed;
    }

    private static void requireVocabulary(String ref, Bundle b, String name, Vocabulary ours) {
        if (!b.vocabulary(name).equals(ours.symbols())) {
            throw new IllegalArgumentException(OPTION + ": " + ref + "'s vocabulary '" + name + "' differs from this job's ("
                    + b.vocabulary(name).size() + " vs " + ours.size() + " symbols)");
        }
    }

    @Override
    public TrainingFamily.BundleContent export() {
        Map<String, ComponentSpec> specs = new LinkedHashMap<>();
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String component : cfg.components()) {
            phase(component, "compose", "composing " + members.size() + " members into one graph pair");
            List<byte[]> encoders = new ArrayList<>();
            List<byte[]> steps = new ArrayList<>();
            int memory = 0;
            int decHidden = 0;
            for (Bundle b : members) {
                encoders.add(read(b.graphFile(component, ComponentSpec.ROLE_ENCODER)));
                steps.add(read(b.graphFile(component, ComponentSpec.ROLE_DECODER_STEP)));
                Map<String, Integer> sizes = b.manifest().components().get(component).sizes();
                memory += sizes.getOrDefault("memory", 0);
                decHidden += sizes.getOrDefault("dec_hidden", 0);
            }
            byte[] enc = EnsembleGraphs.encoder(encoders);
            byte[] dec = EnsembleGraphs.decoderStep(steps);
            boolean g2p = component.equals("g2p");
            Map<String, Integer> sizes = new LinkedHashMap<>();
            sizes.put("src_vocab", (g2p ? data.graphemes : data.phonemes).size());
            sizes.put("tgt_vocab", (g2p ? data.phonemes : data.graphemes).size());
            sizes.put("dec_hidden", decHidden);
            sizes.put("memory", memory);
            sizes.put("ensemble_members", members.size());
            specs.put(component, ComponentSpecs.seq2seq(component, enc, dec, sizes,
                    g2p ? BundleExporter.GRAPHEMES : BundleExporter.PHONEMES, g2p ? BundleExporter.PHONEMES : BundleExporter.GRAPHEMES));
            files.put(ComponentSpecs.encoderFile(component), enc);
            files.put(ComponentSpecs.decoderStepFile(component), dec);
            check(component, enc, dec);
        }
        PronunciationLexicon lexicon = BundleLexicon.build(cfg, data.split);
        files.putAll(BundleLexicon.files(lexicon));
        Map<String, List<String>> vocabularies = new LinkedHashMap<>();
        vocabularies.put(BundleExporter.GRAPHEMES, data.graphemes.symbols());
        vocabularies.put(BundleExporter.PHONEMES, data.phonemes.symbols());
        Map<String, String> fingerprint = new LinkedHashMap<>();
        fingerprint.put("split", data.split.fingerprint());
        for (SplitName n : SplitName.values()) {
            fingerprint.put(n.key(), data.split.hash(n));
        }
        return new TrainingFamily.BundleContent(specs, vocabularies, fingerprint, files, BundleLexicon.serving(cfg, lexicon));
    }

    /**
     * The composed graphs against the members searched together, on the first {@code checkWords} dev words (sorted):
     * the same best answer with the same score, or a tie. A failure stops the job before registration.
     */
    private void check(String component, byte[] enc, byte[] dec) {
        int n = cfg.train().ensemble().checkWords();
        if (n == 0) {
            return;
        }
        phase(component, "check", "the composed graphs against the members searched together, on " + n + " dev words");
        boolean g2p = component.equals("g2p");
        Function<String, List<String>> toSymbols = g2p ? Vocabulary::graphemes : Seq2SeqData::symbols;
        List<List<String>> inputs = new ArrayList<>();
        for (String word : Evaluation.references(data, component, SplitName.DEV).keySet()) {
            if (inputs.size() == n) {
                break;
            }
            inputs.add(toSymbols.apply(word));
        }
        SearchOptions opts = SearchOptions.beam(cfg.train().beamWidth(), 1).withMaxLength(cfg.model().maxOutputLength());
        List<List<ScoredSequence>> composed;
        List<List<ScoredSequence>> separate;
        try (Seq2SeqPredictor one = new Seq2SeqPredictor(OrtSeq2Seq.create(SessionFactory.cpu(), enc, dec),
                (g2p ? data.graphemes : data.phonemes).symbols(), (g2p ? data.phonemes : data.graphemes).symbols(),
                Seq2SeqPredictor.DEFAULT_MAX_INPUT_LENGTH);
             Seq2SeqPredictor together = together(component)) {
            List<List<String>> readable = inputs.stream().filter(in -> readable(one, in) && readable(together, in)).toList();
            composed = one.transduce(readable, opts);
            separate = together.transduce(readable, opts);
        }
        double maxDiff = 0;
        int ties = 0;
        for (int i = 0; i < composed.size(); i++) {
            ScoredSequence a = composed.get(i).get(0);
            ScoredSequence b = separate.get(i).get(0);
            double diff = Math.abs(a.logProb() - b.logProb());
            if (!a.symbols().equals(b.symbols())) {
                if (diff > TIE) {
                    throw new IllegalStateException("the composed " + component + " graphs answer " + a.symbols() + " ("
                            + a.logProb() + ") where the members searched together answer " + b.symbols() + " ("
                            + b.logProb() + "): not registering a model that is not the ensemble");
                }
                ties++;
            }
            maxDiff = Math.max(maxDiff, diff);
        }
        if (maxDiff > TIE) {
            throw new IllegalStateException("the composed " + component + " graphs score their answers up to " + maxDiff
                    + " away from the members searched together: not registering a model that is not the ensemble");
        }
        LOG.infof("%s: the composed graphs reproduce the members' ensemble on %d dev words (max |delta log p| %.2e, %d ties)",
                component, composed.size(), maxDiff, ties);
        metrics.put(component + ".ensemble.check.words", composed.size());
        metrics.put(component + ".ensemble.check.maxLogProbDiff", maxDiff);
        metrics.put(component + ".ensemble.check.ties", ties);
    }

    /** The members' own graphs searched together ({@code EnsembleStepModel}), what the composed graphs must reproduce. */
    private Seq2SeqPredictor together(String component) {
        List<Seq2SeqPredictor> each = new ArrayList<>();
        try {
            for (Bundle b : members) {
                each.add(Seq2SeqPredictor.create(b, component, SessionFactory.cpu()));
            }
            return Seq2SeqPredictor.ensemble(each);
        } catch (RuntimeException e) {
            each.forEach(Seq2SeqPredictor::close);
            throw e;
        }
    }

    private static boolean readable(Seq2SeqPredictor p, List<String> input) {
        try {
            p.sourceIds(input);
            return true;
        } catch (RuntimeException unreadable) {
            return false;
        }
    }

    @Override
    public Map<String, ComponentScores> evaluate(TrainingFamily.BundleContent content, Path runDir, ProgressListener progress) {
        return Seq2SeqTrainingFamily.evaluateExported(cfg, data, new java.util.HashSet<>(cfg.components()), content, runDir,
                progress, startNanos, (component, predictor) -> Map.of());
    }

    @Override
    public Map<String, Object> trainingMetrics() {
        Map<String, Object> out = new LinkedHashMap<>(metrics);
        for (String component : cfg.components()) {
            out.put(component + ".ensemble.members", members.size());
        }
        out.put("machine.cpu", Machine.cpuModel());
        return out;
    }

    @Override
    public void close() {
    }

    private void phase(String component, String phase, String message) {
        progress.onProgress(new ProgressEvent(component, phase, 0, 0, 0, 0, Map.of(), Map.of(),
                (System.nanoTime() - startNanos) / 1e9, Double.NaN, message));
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
