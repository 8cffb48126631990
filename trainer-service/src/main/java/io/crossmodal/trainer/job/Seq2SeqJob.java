package io.crossmodal.trainer.job;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import io.crossmodal.datasets.cmudict.CmuDictSource;
import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.datasets.cmudict.LexiconEntry;
import io.crossmodal.family.seq2seq.eval.ErrorRates;
import io.crossmodal.family.seq2seq.eval.Evaluator;
import io.crossmodal.datasets.split.DataSplit;
import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.datasets.split.Splitter;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.model.GreedyDecoder;
import io.crossmodal.trainer.model.PriorBlock;
import io.crossmodal.trainer.model.Seq2SeqBatch;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.model.Seq2SeqSpec;
import io.crossmodal.trainer.progress.ProgressListener;
import io.crossmodal.trainer.report.LearningCurves;
import io.crossmodal.trainer.train.ComponentTrainer;
import io.crossmodal.trainer.train.TrainSettings;
import io.crossmodal.trainer.train.Example;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Supervised training of the seq2seq family on the paired split: the prior p(y), the channel
 * p(x|y) (G2P) and the posterior q(y|x) (P2G). The trained models stay open in the returned
 * {@link TrainedModels} for evaluation and export.
 */
public final class Seq2SeqJob {
    private static final Logger LOG = Logger.getLogger(Seq2SeqJob.class);
    private static final int EVAL_CHUNK = 256;

    private final ProgressListener progress;
    private final BooleanSupplier cancelled;

    public Seq2SeqJob(ProgressListener progress, BooleanSupplier cancelled) {
        this.progress = progress;
        this.cancelled = cancelled;
    }

    /** Loads the lexicon named by the config (pinned CMUdict download, or a file) and subsamples it if asked. */
    public static Lexicon loadLexicon(JobConfig cfg) throws IOException {
        JobConfig.Data d = cfg.data();
        Lexicon lex = d.source().equals("cmudict")
                ? new CmuDictSource().load(d.stripStress())
                // a user's lexicon file may use any phoneme inventory; the pinned CMUdict is checked as ARPAbet
                : CmuDictSource.fromPath(Path.of(d.source()), d.stripStress(), true);
        if (!lex.issues().isEmpty()) {
            // line numbers and reasons only: a lexicon's content is never written to a log
            LOG.warnf("%d malformed lexicon lines skipped; first: line %d (%s)", lex.issues().size(),
                    lex.issues().get(0).lineNumber(), lex.issues().get(0).reason());
        }
        if (d.maxWords() > 0) {
            List<String> words = new ArrayList<>(new TreeSet<>(lex.pronunciationsByWord().keySet()));
            Collections.shuffle(words, new Random(cfg.splitConfig().seed()));
            java.util.Set<String> keep = new java.util.HashSet<>(words.subList(0, Math.min(d.maxWords(), words.size())));
            List<LexiconEntry> kept = lex.entries().stream().filter(e -> keep.contains(e.word())).toList();
            lex = new Lexicon(kept, lex.issues());
        }
        return lex;
    }

    public TrainedModels train(JobConfig cfg, Lexicon lexicon, Path runDir) throws IOException {
        DataSplit split = Splitter.split(lexicon, cfg.splitConfig());
        Seq2SeqData data = new Seq2SeqData(lexicon, split);
        LOG.infof("split %s; vocabularies: %d graphemes, %d phonemes", split, data.graphemes.size(), data.phonemes.size());
        Files.createDirectories(runDir);
        TrainedModels models = new TrainedModels(cfg, data);
        try {
            JobConfig.Model mc = cfg.model();
            ComponentTrainer trainer = new ComponentTrainer(progress, cancelled);
            for (String component : cfg.components()) {
                Model model = Model.newInstance(component);
                models.models.put(component, model);
                long seed = cfg.seed() * 31 + component.hashCode();
                ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
                Path ckpt = runDir.resolve("checkpoints").resolve(component);
                ComponentTrainer.Result r;
                if (component.equals("prior")) {
                    PriorBlock block = new PriorBlock(data.graphemes.size(), mc.priorEmbed(), mc.priorHidden());
                    model.setBlock(block);
                    block.initializeAll(model.getNDManager());
                    List<Example> train = data.spellings(SplitName.PAIRED, SplitName.UNPAIRED_GRAPHEMES);
                    List<Example> dev = data.spellings(SplitName.DEV);
                    r = trainer.train(component, model, train, (m, b) -> Seq2SeqBatch.target(m, tgts(b)), false,
                            priorSettings(cfg, seed), () -> priorNll(model, block, dev), "nll", ckpt);
                } else {
                    boolean g2p = component.equals("g2p");
                    Vocabulary src = g2p ? data.graphemes : data.phonemes;
                    Vocabulary tgt = g2p ? data.phonemes : data.graphemes;
                    Seq2SeqBlock block = new Seq2SeqBlock(new Seq2SeqSpec(src.size(), tgt.size(), mc.embed(),
                            mc.encHidden(), mc.decHidden(), mc.locationAttention()))
                            .regularise(cfg.train().labelSmoothing(), cfg.train().dropout());
                    model.setBlock(block);
                    block.initializeAll(model.getNDManager());
                    List<Example> train = g2p && cfg.train().distill() != null
                            ? Distillation.g2pExamples(cfg, data, lexicon, runDir, cancelled)
                            : g2p ? data.g2p(SplitName.PAIRED) : data.p2g(SplitName.PAIRED);
                    Map<String, List<List<String>>> devRefs = g2p
                            ? data.g2pReferences(SplitName.DEV, cfg.train().devWords())
                            : data.p2gReferences(SplitName.DEV, cfg.train().devWords());
                    Function<String, List<String>> toSymbols = g2p ? Vocabulary::graphemes : Seq2SeqData::symbols;
                    if (train.isEmpty() && cfg.semiEnabled()) {
                        // no paired data: the noisy-channel phase trains this model from its random start
                        double dev0 = greedyErrors(model, block, src, tgt, devRefs, toSymbols, mc.maxOutputLength()).per();
                        LOG.infof("%s: no paired words, no supervised warm-up (dev PER %.4f at initialisation)", component, dev0);
                        models.results.put(component, new ComponentTrainer.Result(dev0, 0, 0, 0, false, List.of()));
                        continue;
                    }
                    r = trainer.train(component, model, train, (m, b) -> Seq2SeqBatch.pairs(m, srcs(b), tgts(b)), true,
                            cfg.train().settings(seed),
                            () -> greedyErrors(model, block, src, tgt, devRefs, toSymbols, mc.maxOutputLength()).per(),
                            "per", ckpt);
                }
                models.results.put(component, r);
                LearningCurves.write(histories(models), devNames(models), runDir.resolve("learning_curves.png"));
            }
            return models;
        } catch (IOException | RuntimeException e) {
            models.close();
            throw e;
        }
    }

    /**
     * The prior's optimisation settings: in the noisy-channel warm-up it reads the large unpaired
     * spelling set, so it gets its own (small) epoch budget instead of the paired models' warm-up.
     */
    private static TrainSettings priorSettings(JobConfig cfg, long seed) {
        TrainSettings s = cfg.train().settings(seed);
        if (!cfg.semiEnabled()) {
            return s;
        }
        return new TrainSettings(s.batchSize(), s.learningRate(), cfg.semi().priorWarmupEpochs(), s.maxSteps(), s.patience(),
                s.clipNorm(), s.lrDecay(), s.seed());
    }

    /** Greedy-decoding error rates of a seq2seq block on references keyed by input. */
    public static ErrorRates greedyErrors(Model model, Seq2SeqBlock block, Vocabulary src, Vocabulary tgt,
            Map<String, List<List<String>>> refs, Function<String, List<String>> toSymbols, int maxLen) {
        List<String> keys = new ArrayList<>(refs.keySet());
        keys.sort(Comparator.comparingInt(k -> toSymbols.apply(k).size()));
        Map<String, List<String>> hyps = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i += EVAL_CHUNK) {
            List<String> chunk = keys.subList(i, Math.min(keys.size(), i + EVAL_CHUNK));
            List<long[]> inputs = chunk.stream().map(k -> src.encode(toSymbols.apply(k))).toList();
            List<long[]> out = GreedyDecoder.decode(block, model.getNDManager(), inputs, maxLen);
            for (int j = 0; j < chunk.size(); j++) {
                hyps.put(chunk.get(j), tgt.decode(out.get(j)));
            }
        }
        return Evaluator.evaluate(hyps, refs);
    }

    private static double priorNll(Model model, PriorBlock block, List<Example> dev) {
        if (dev.isEmpty()) {
            return Double.NaN;
        }
        double nll = 0;
        double tokens = 0;
        for (int i = 0; i < dev.size(); i += EVAL_CHUNK) {
            try (NDManager m = model.getNDManager().newSubManager()) {
                var out = block.forward(new ai.djl.training.ParameterStore(m, false),
                        Seq2SeqBatch.target(m, tgts(dev.subList(i, Math.min(dev.size(), i + EVAL_CHUNK)))), false);
                nll += out.get(0).getFloat();
                tokens += out.get(2).getFloat();
            }
        }
        return nll / tokens;
    }

    private static List<long[]> srcs(List<Example> b) {
        return b.stream().map(Example::src).toList();
    }

    private static List<long[]> tgts(List<Example> b) {
        return b.stream().map(Example::tgt).toList();
    }

    static Map<String, List<ComponentTrainer.EpochStats>> histories(TrainedModels m) {
        Map<String, List<ComponentTrainer.EpochStats>> out = new LinkedHashMap<>();
        m.results.forEach((k, v) -> out.put(k, v.history()));
        return out;
    }

    static Map<String, String> devNames(TrainedModels m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.results.keySet().forEach(k -> out.put(k, k.equals("prior") ? "NLL/char" : "PER"));
        return out;
    }

    /** Trained components, kept open for evaluation and export; closing releases native memory. */
    public static final class TrainedModels implements AutoCloseable {
        public final JobConfig config;
        public final Seq2SeqData data;
        public final Map<String, Model> models = new LinkedHashMap<>();
        public final Map<String, ComponentTrainer.Result> results = new LinkedHashMap<>();
        /** Job-level figures beyond the per-component results (e.g. the semi-supervised ELBO), added to the run's metrics. */
        public final Map<String, Object> extraMetrics = new LinkedHashMap<>();

        TrainedModels(JobConfig config, Seq2SeqData data) {
            this.config = config;
            this.data = data;
        }

        @Override
        public void close() {
            models.values().forEach(Model::close);
        }
    }
}
