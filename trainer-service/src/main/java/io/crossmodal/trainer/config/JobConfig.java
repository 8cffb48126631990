package io.crossmodal.trainer.config;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.datasets.split.SplitConfig;
import io.crossmodal.trainer.family.pvae.PvaeConfig;
import io.crossmodal.trainer.family.vqvae.VqvaeConfig;
import io.crossmodal.trainer.train.TrainSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A declarative training job: model family, data, split, sizes, optimisation, seed, outputs.
 * Every field has a default so a config names only what it changes; unknown fields are an error
 * (a typo must not silently train the wrong model).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record JobConfig(
        String name,
        String family,
        Data data,
        Split split,
        Model model,
        Train train,
        List<String> components,
        Long seed,
        Boolean export,
        String runDir,
        String registryDir,
        // Absent (null) = supervised training only; left out of the JSON so existing configs serialise unchanged.
        @JsonInclude(JsonInclude.Include.NON_NULL) Semi semi,
        // The pvae family's settings (family "pvae"; absent = its defaults); left out of the JSON when absent.
        @JsonInclude(JsonInclude.Include.NON_NULL) PvaeConfig pvae,
        // Absent (null) = the defaults of LexiconConfig; left out of the JSON so existing configs serialise unchanged.
        @JsonInclude(JsonInclude.Include.NON_NULL) LexiconConfig lexicon,
        // The vqvae family's settings (family "vqvae"); left out of the JSON when absent.
        @JsonInclude(JsonInclude.Include.NON_NULL) VqvaeConfig vqvae) {

    private static final ObjectMapper JSON = Json.STRICT;

    /** Where the lexicon comes from: {@code cmudict} (pinned npm download) or a file path. */
    public record Data(String source, Boolean stripStress, Integer maxWords) {
        public Data {
            source = source == null ? "cmudict" : source;
            stripStress = stripStress == null ? Boolean.TRUE : stripStress;
            maxWords = maxWords == null ? 0 : maxWords;
            if (maxWords < 0) {
                throw new IllegalArgumentException("data.maxWords must be >= 0 (0 = all), got " + maxWords);
            }
        }
    }

    /**
     * Split sizes in words; -1 = all remaining (at most one). {@code seed} fixes the word shuffle
     * independently of the training seed (null = the job's seed), so runs with different training
     * seeds can share one split and be compared on the same test words.
     */
    public record Split(Integer paired, Integer unpairedGraphemes, Integer unpairedPhonemes, Integer dev, Integer test,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long seed, String grouping) {
        public Split(Integer paired, Integer unpairedGraphemes, Integer unpairedPhonemes, Integer dev, Integer test) {
            this(paired, unpairedGraphemes, unpairedPhonemes, dev, test, null, null);
        }

        public Split(Integer paired, Integer unpairedGraphemes, Integer unpairedPhonemes, Integer dev, Integer test,
                Long seed) {
            this(paired, unpairedGraphemes, unpairedPhonemes, dev, test, seed, null);
        }

        /**
         * {@code grouping}: {@code homophones} (default: words linked by a shared pronunciation or a
         * spelling equal up to punctuation share a split, docs/NOISY_CHANNEL.md) or {@code word} (the
         * legacy per-word split, only to reproduce figures made with it).
         */
        public Split {
            grouping = grouping == null ? SplitConfig.GROUP_HOMOPHONES : grouping;
            if (!grouping.equals(SplitConfig.GROUP_HOMOPHONES) && !grouping.equals(SplitConfig.GROUP_WORD)) {
                throw new IllegalArgumentException("split.grouping must be '" + SplitConfig.GROUP_HOMOPHONES + "' or '"
                        + SplitConfig.GROUP_WORD + "' (legacy), got '" + grouping + "'");
            }
            paired = paired == null ? -1 : paired;
            unpairedGraphemes = unpairedGraphemes == null ? 0 : unpairedGraphemes;
            unpairedPhonemes = unpairedPhonemes == null ? 0 : unpairedPhonemes;
            dev = dev == null ? 1000 : dev;
            test = test == null ? 5000 : test;
        }
    }

    /**
     * Model sizes; {@code attention} is {@code luong} (content only) or {@code location} (content plus
     * the monotonic location term, docs/NOISY_CHANNEL.md).
     */
    public record Model(Integer embed, Integer encHidden, Integer decHidden, Integer priorEmbed, Integer priorHidden,
            Integer maxOutputLength, @JsonInclude(JsonInclude.Include.NON_NULL) String attention) {
        public static final Set<String> ATTENTIONS = Set.of("luong", "location");

        public Model(Integer embed, Integer encHidden, Integer decHidden, Integer priorEmbed, Integer priorHidden,
                Integer maxOutputLength) {
            this(embed, encHidden, decHidden, priorEmbed, priorHidden, maxOutputLength, null);
        }

        /** Whether the seq2seq components use location-aware attention. */
        public boolean locationAttention() {
            return "location".equals(attention);
        }

        public Model {
            if (attention != null && !ATTENTIONS.contains(attention)) {
                throw new IllegalArgumentException("model.attention must be one of " + ATTENTIONS + ", got '" + attention + "'");
            }
            embed = positive("model.embed", embed, 64);
            encHidden = positive("model.encHidden", encHidden, 128);
            decHidden = positive("model.decHidden", decHidden, 256);
            priorEmbed = positive("model.priorEmbed", priorEmbed, 32);
            priorHidden = positive("model.priorHidden", priorHidden, 256);
            maxOutputLength = positive("model.maxOutputLength", maxOutputLength, 40);
        }
    }

    /**
     * Optimisation settings of the supervised phase.
     *
     * @param labelSmoothing epsilon of the label-smoothed token loss of the seq2seq components (0 = plain NLL)
     * @param dropout dropout rate of the seq2seq components while training (0 = none; the served graph is unchanged)
     * @param distill the G2P model learns from an ensemble of registered teachers instead of (or besides) the
     *        references ({@link Distill}); absent = plain supervised training
     * @param ensemble nothing is trained: registered bundles are composed into one served model ({@link Ensemble});
     *        absent = training as the rest of the config says
     */
    public record Train(Integer batchSize, Float learningRate, Integer epochs, Long maxSteps, Integer patience,
            Float clipNorm, Float lrDecay, Integer threads, Integer devWords, Integer beamWidth, Float labelSmoothing,
            Float dropout, Distill distill, @JsonInclude(JsonInclude.Include.NON_NULL) Ensemble ensemble) {
        public Train(Integer batchSize, Float learningRate, Integer epochs, Long maxSteps, Integer patience,
                Float clipNorm, Float lrDecay, Integer threads, Integer devWords, Integer beamWidth) {
            this(batchSize, learningRate, epochs, maxSteps, patience, clipNorm, lrDecay, threads, devWords, beamWidth, null, null,
                    null, null);
        }

        public Train(Integer batchSize, Float learningRate, Integer epochs, Long maxSteps, Integer patience,
                Float clipNorm, Float lrDecay, Integer threads, Integer devWords, Integer beamWidth, Float labelSmoothing,
                Float dropout) {
            this(batchSize, learningRate, epochs, maxSteps, patience, clipNorm, lrDecay, threads, devWords, beamWidth,
                    labelSmoothing, dropout, null, null);
        }

        public Train(Integer batchSize, Float learningRate, Integer epochs, Long maxSteps, Integer patience,
                Float clipNorm, Float lrDecay, Integer threads, Integer devWords, Integer beamWidth, Float labelSmoothing,
                Float dropout, Distill distill) {
            this(batchSize, learningRate, epochs, maxSteps, patience, clipNorm, lrDecay, threads, devWords, beamWidth,
                    labelSmoothing, dropout, distill, null);
        }

        public Train {
            labelSmoothing = labelSmoothing == null ? 0f : labelSmoothing;
            dropout = dropout == null ? 0f : dropout;
            if (!(labelSmoothing >= 0 && labelSmoothing < 0.5f)) {
                throw new IllegalArgumentException("train.labelSmoothing must be in [0, 0.5), got " + labelSmoothing);
            }
            if (!(dropout >= 0 && dropout < 0.9f)) {
                throw new IllegalArgumentException("train.dropout must be in [0, 0.9), got " + dropout);
            }
            batchSize = batchSize == null ? 64 : batchSize;
            learningRate = learningRate == null ? 0.002f : learningRate;
            epochs = epochs == null ? 20 : epochs;
            maxSteps = maxSteps == null ? 0L : maxSteps;
            patience = patience == null ? 3 : patience;
            clipNorm = clipNorm == null ? 5f : clipNorm;
            lrDecay = lrDecay == null ? 0.5f : lrDecay;
            threads = positive("train.threads", threads, 2);
            devWords = positive("train.devWords", devWords, 1000);
            beamWidth = positive("train.beamWidth", beamWidth, 5);
            if (ensemble != null && distill != null) {
                throw new IllegalArgumentException("train.ensemble composes registered models and trains nothing: it cannot"
                        + " also distil (train.distill)");
            }
        }

        public TrainSettings settings(long seed) {
            return new TrainSettings(batchSize, learningRate, epochs, maxSteps, patience, clipNorm, lrDecay, seed);
        }
    }

    /**
     * Sequence-level distillation of an ensemble into the G2P model (docs/BENCHMARKS.md 1.2): the teachers,
     * registered bundles of this job's registry trained on the same split, are searched as one model (the
     * mean of their probabilities per step, beam {@code beamWidth}) and their best pronunciation becomes a
     * training target.
     *
     * @param teachers {@code NAME/VERSION} (or {@code NAME/alias}) of each teacher
     * @param pairedTargets what the paired words are trained on: {@code teacher} (the ensemble's answer),
     *        {@code reference} (the lexicon's pronunciations) or {@code both}
     * @param words a word list (one word per line, e.g. /usr/share/dict/american-english): its words that are
     *        not in the lexicon at all (so never a dev or test word) and that the model can read are labelled
     *        by the teachers and added to the training data; absent = none
     * @param maxWords at most this many of them (0 = all), the first ones in sorted order
     */
    public record Distill(List<String> teachers, Integer beamWidth, String pairedTargets, String words, Integer maxWords) {
        public static final Set<String> PAIRED_TARGETS = Set.of("teacher", "reference", "both");

        public Distill {
            if (teachers == null || teachers.isEmpty()) {
                throw new IllegalArgumentException("train.distill.teachers must name at least one registered bundle (NAME/VERSION)");
            }
            teachers = List.copyOf(teachers);
            beamWidth = positive("train.distill.beamWidth", beamWidth, 5);
            pairedTargets = pairedTargets == null ? "teacher" : pairedTargets;
            if (!PAIRED_TARGETS.contains(pairedTargets)) {
                throw new IllegalArgumentException("train.distill.pairedTargets must be one of " + PAIRED_TARGETS + ", got '"
                        + pairedTargets + "'");
            }
            maxWords = maxWords == null ? 0 : maxWords;
            if (maxWords < 0) {
                throw new IllegalArgumentException("train.distill.maxWords must be >= 0, got " + maxWords);
            }
        }
    }

    /**
     * An ensemble served as ONE model (docs/BENCHMARKS.md 1.2): the job trains nothing; it composes the members'
     * encoder and decoder-step graphs into one graph pair ({@code EnsembleGraphs}: the members side by side, the mean of
     * their probabilities per step), checks it with ONNX Runtime against the members searched together, evaluates it
     * and registers it as a seq2seq bundle like any other. Members are registered bundles of this job's registry,
     * trained on this job's split and vocabularies.
     *
     * @param members {@code NAME/VERSION} (or {@code NAME/alias}) of each member, at least two
     * @param checkWords dev words whose beam answers and scores the composed model must reproduce (0 = none)
     */
    public record Ensemble(List<String> members, Integer checkWords) {
        public Ensemble {
            if (members == null || members.size() < 2) {
                throw new IllegalArgumentException("train.ensemble.members must name at least two registered bundles"
                        + " (NAME/VERSION)");
            }
            members = List.copyOf(members);
            if (new java.util.HashSet<>(members).size() != members.size()) {
                throw new IllegalArgumentException("train.ensemble.members names a bundle twice: " + members);
            }
            checkWords = checkWords == null ? 200 : checkWords;
            if (checkWords < 0) {
                throw new IllegalArgumentException("train.ensemble.checkWords must be >= 0, got " + checkWords);
            }
        }
    }

    /**
     * Semi-supervised noisy-channel training (docs/NOISY_CHANNEL.md): a supervised warm-up of
     * {@code warmupEpochs}, then {@code epochs} epochs in which every step takes one batch of each
     * enabled term. Unset fields take the defaults below.
     *
     * @param stepsPerEpoch 0 = one pass over the largest unpaired set an enabled term reads
     * @param wakeSearch {@code sample} (ancestral, at {@code temperature}) or {@code beam} (n-best of width {@code samples})
     * @param sleepSource {@code unpaired} (spellings of Uy) or {@code prior} (spellings sampled from p(y))
     * @param elboWords dev words whose pronunciations are used for the ELBO estimate each epoch (0 = none)
     * @param continueOptimizer the semi phase continues each component's warm-up optimizer (Adam moments)
     *        and its decayed learning rate, instead of a fresh Adam at {@code train.learningRate}
     * @param rerank noisy-channel reranking of the beam n-best at test time (absent = off)
     */
    public record Semi(Boolean enabled, Integer warmupEpochs, Integer epochs, Integer stepsPerEpoch, Integer batchSize,
            SemiWeights weights, Integer samples, Double temperature, String wakeSearch, Boolean importanceWeighting,
            String sleepSource, Integer elboWords, Integer priorWarmupEpochs, Boolean continueOptimizer, Rerank rerank) {
        public static final Set<String> WAKE_SEARCHES = Set.of("sample", "beam");
        public static final Set<String> SLEEP_SOURCES = Set.of("unpaired", "prior");

        public Semi {
            enabled = enabled != null && enabled;
            warmupEpochs = range("semi.warmupEpochs", warmupEpochs, 5, 1, 1000);
            epochs = range("semi.epochs", epochs, 10, 1, 1000);
            stepsPerEpoch = range("semi.stepsPerEpoch", stepsPerEpoch, 0, 0, 10_000_000);
            batchSize = range("semi.batchSize", batchSize, 32, 1, 4096);
            weights = weights == null ? new SemiWeights(null, null, null, null) : weights;
            samples = range("semi.samples", samples, 4, 1, 64);
            temperature = temperature == null ? 1.0 : temperature;
            if (!(temperature > 0 && temperature <= 100)) {
                throw new IllegalArgumentException("semi.temperature must be in (0, 100], got " + temperature);
            }
            wakeSearch = wakeSearch == null ? "sample" : wakeSearch;
            if (!WAKE_SEARCHES.contains(wakeSearch)) {
                throw new IllegalArgumentException("semi.wakeSearch must be one of " + WAKE_SEARCHES + ", got '" + wakeSearch + "'");
            }
            importanceWeighting = importanceWeighting != null && importanceWeighting;
            sleepSource = sleepSource == null ? "unpaired" : sleepSource;
            if (!SLEEP_SOURCES.contains(sleepSource)) {
                throw new IllegalArgumentException("semi.sleepSource must be one of " + SLEEP_SOURCES + ", got '" + sleepSource + "'");
            }
            elboWords = range("semi.elboWords", elboWords, 200, 0, 1_000_000);
            priorWarmupEpochs = range("semi.priorWarmupEpochs", priorWarmupEpochs, 2, 1, 1000);
            continueOptimizer = continueOptimizer != null && continueOptimizer;
        }

        /** Whether a step reads unpaired spellings Uy (the prior term, or sleep with {@code sleepSource=unpaired}). */
        public boolean readsUnpairedSpellings() {
            return weights.prior() > 0 || (weights.sleep() > 0 && sleepSource.equals("unpaired"));
        }

        /** Whether a step reads unpaired phoneme strings Ux (the wake term, or the wake update of q). */
        public boolean readsUnpairedPhonemes() {
            return weights.wake() > 0 || weights.wakePosterior() > 0;
        }

        /** Whether test evaluation also reports the noisy-channel reranked n-best. */
        public boolean rerankEnabled() {
            return rerank != null && rerank.enabled();
        }
    }

    /**
     * Noisy-channel reranking at test time (docs/NOISY_CHANNEL.md): the beam n-best of each direction
     * rescored with all three models, G2P by {@code log p(x|y) + λ log q(y|x)}, P2G by
     * {@code log q(y|x) + λ (log p(x|y) + log p(y))}; λ is chosen per direction on the dev words
     * (lowest dev PER) from {@code lambdas}, and test words are reranked with that λ.
     */
    public record Rerank(Boolean enabled, Integer nBest, List<Double> lambdas) {
        public Rerank {
            enabled = enabled == null || enabled;
            nBest = range("semi.rerank.nBest", nBest, 8, 2, 64);
            lambdas = lambdas == null ? List.of(0.0, 0.1, 0.25, 0.5, 1.0, 2.0) : List.copyOf(lambdas);
            if (lambdas.isEmpty() || lambdas.stream().anyMatch(l -> l == null || !(l >= 0 && l <= 100))) {
                throw new IllegalArgumentException("semi.rerank.lambdas must be a non-empty list of values in [0, 100], got "
                        + lambdas);
            }
        }
    }

    /** Weights of the four objective terms; 0 switches a term off (its model gets no update from it). */
    /**
     * {@code wakePosterior} (default 0): the reweighted wake-sleep update of q(y|x) on the real
     * unpaired phoneme strings, with the wake term's detached normalised importance weights.
     */
    public record SemiWeights(Double supervised, Double prior, Double wake, Double sleep,
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) Double wakePosterior) {
        public SemiWeights(Double supervised, Double prior, Double wake, Double sleep) {
            this(supervised, prior, wake, sleep, null);
        }

        public SemiWeights {
            supervised = weight("semi.weights.supervised", supervised);
            prior = weight("semi.weights.prior", prior);
            wake = weight("semi.weights.wake", wake);
            sleep = weight("semi.weights.sleep", sleep);
            wakePosterior = wakePosterior == null ? 0.0 : weight("semi.weights.wakePosterior", wakePosterior);
            if (supervised + prior + wake + sleep + wakePosterior == 0) {
                throw new IllegalArgumentException("semi.weights: at least one term must have a weight > 0");
            }
        }

        private static double weight(String what, Double v) {
            double x = v == null ? 1.0 : v;
            if (!(x >= 0 && x <= 1000)) {
                throw new IllegalArgumentException(what + " must be in [0, 1000], got " + x);
            }
            return x;
        }
    }

    /**
     * The pronunciation lexicon a seq2seq bundle carries (docs/LEXICON.md).
     *
     * @param training write the training entries (the paired split, as the model saw them) into the bundle; default true
     * @param override a CMUdict text file (any phoneme inventory, UTF-8) merged in at registration: each of its words
     *                 replaces all of that word's training entries; its pronunciations are stress-stripped like the
     *                 training data ({@code data.stripStress}); default none
     * @param mode     the served default ({@code serving.<role>.decoding.lexicon}): {@code first} (default),
     *                 {@code model} or {@code lexicon}
     */
    public record LexiconConfig(Boolean training, String override, String mode) {
        public static final Set<String> MODES = Set.of("first", "model", "lexicon");

        public LexiconConfig {
            training = training == null || training;
            mode = mode == null ? "first" : mode;
            if (!MODES.contains(mode)) {
                throw new IllegalArgumentException("lexicon.mode must be one of " + new java.util.TreeSet<>(MODES) + ", got '"
                        + mode + "'");
            }
            if (override != null && override.isBlank()) {
                throw new IllegalArgumentException("lexicon.override must name a file (or be left out)");
            }
        }
    }

    /** The lexicon settings, their defaults when the config has no {@code lexicon} section. */
    public LexiconConfig lexiconConfig() {
        return lexicon != null ? lexicon : new LexiconConfig(null, null, null);
    }

    /** A config without a family section (every family but pvae). */
    public JobConfig(String name, String family, Data data, Split split, Model model, Train train, List<String> components,
            Long seed, Boolean export, String runDir, String registryDir, Semi semi) {
        this(name, family, data, split, model, train, components, seed, export, runDir, registryDir, semi, null, null, null);
    }

    /** The config as it was before the {@code semi} section existed (no semi-supervised training). */
    public JobConfig(String name, String family, Data data, Split split, Model model, Train train, List<String> components,
            Long seed, Boolean export, String runDir, String registryDir) {
        this(name, family, data, split, model, train, components, seed, export, runDir, registryDir, null, null, null, null);
    }

    public JobConfig {
        name = name == null ? "g2p-cmudict" : name;
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("name must match [a-z0-9][a-z0-9._-]{0,63}, got '" + name + "'");
        }
        family = family == null ? "seq2seq" : family;
        // the family's registry names the families and their components (a new family adds no code here)
        io.crossmodal.trainer.family.TrainingFamily fam = io.crossmodal.trainer.family.TrainingFamilies.require(family);
        data = data == null ? new Data(null, null, null) : data;
        split = split == null ? new Split(null, null, null, null, null, null, null) : split;
        model = model == null ? new Model(null, null, null, null, null, null, null) : model;
        train = train == null ? new Train(null, null, null, null, null, null, null, null, null, null) : train;
        components = components == null ? fam.defaultComponents() : List.copyOf(components);
        for (String c : components) {
            if (!fam.components().contains(c)) {
                throw new IllegalArgumentException("unknown component '" + c + "', known: " + new java.util.TreeSet<>(fam.components()));
            }
        }
        if (components.isEmpty()) {
            throw new IllegalArgumentException("components must name at least one of " + new java.util.TreeSet<>(fam.components()));
        }
        seed = seed == null ? 1L : seed;
        export = export == null ? Boolean.TRUE : export;
        runDir = runDir == null ? "runs/" + name : runDir;
        registryDir = registryDir == null ? defaultRegistry() : registryDir;
        train.settings(seed); // validates the optimisation settings now, not after loading data
        splitConfig(seed, split, data);
        if (pvae != null && !family.equals("pvae")) {
            throw new IllegalArgumentException("the 'pvae' section is for family \"pvae\"; this job's family is '" + family + "'");
        }
        if (vqvae != null && !family.equals("vqvae")) {
            throw new IllegalArgumentException("the 'vqvae' section is for family \"vqvae\"; this job's family is '" + family + "'");
        }
        if (train.ensemble() != null) {
            if (!family.equals("seq2seq")) {
                throw new IllegalArgumentException("train.ensemble is for family \"seq2seq\"; this job's family is '" + family + "'");
            }
            if (semi != null && semi.enabled()) {
                throw new IllegalArgumentException("train.ensemble composes registered models and trains nothing: it cannot"
                        + " also run semi-supervised training (semi.enabled)");
            }
            if (components.contains("prior")) {
                throw new IllegalArgumentException("train.ensemble composes the transducing components g2p and p2g; leave"
                        + " 'prior' out of components, got " + components);
            }
        }
        if (semi != null && semi.enabled()) {
            if (!components.containsAll(List.of("g2p", "p2g", "prior"))) {
                throw new IllegalArgumentException("semi.enabled needs all three components g2p, p2g and prior, got " + components);
            }
            if (semi.readsUnpairedPhonemes() && split.unpairedPhonemes() == 0) {
                throw new IllegalArgumentException("semi.weights.wake > 0 needs unpaired phoneme strings: set split.unpairedPhonemes");
            }
            if (semi.readsUnpairedSpellings() && split.unpairedGraphemes() == 0) {
                throw new IllegalArgumentException("semi.weights.prior > 0 or sleep from 'unpaired' needs unpaired spellings:"
                        + " set split.unpairedGraphemes (or semi.sleepSource 'prior' and semi.weights.prior 0)");
            }
        }
    }

    /** Whether this job runs the semi-supervised noisy-channel training ({@link Semi}). */
    public boolean semiEnabled() {
        return semi != null && semi.enabled();
    }

    /** A copy of this config with another number of supervised epochs (the warm-up of the semi-supervised job). */
    public JobConfig withEpochs(int epochs) {
        Train t = new Train(train.batchSize(), train.learningRate(), epochs, train.maxSteps(), train.patience(),
                train.clipNorm(), train.lrDecay(), train.threads(), train.devWords(), train.beamWidth(),
                train.labelSmoothing(), train.dropout(), train.distill(), train.ensemble());
        return new JobConfig(name, family, data, split, model, t, components, seed, export, runDir, registryDir, semi, pvae, lexicon, vqvae);
    }

    /** The same job run in {@code runDir}, registering into {@code registryDir} (where the Trainer API places a job). */
    public JobConfig withPlacement(String runDir, String registryDir) {
        return new JobConfig(name, family, data, split, model, train, components, seed, export, runDir, registryDir, semi, pvae, lexicon, vqvae);
    }

    public SplitConfig splitConfig() {
        return splitConfig(seed, split, data);
    }

    private static SplitConfig splitConfig(long seed, Split s, Data d) {
        return new SplitConfig(s.seed() != null ? s.seed() : seed, s.paired(), s.unpairedGraphemes(), s.unpairedPhonemes(), s.dev(), s.test(),
                d.stripStress(), s.grouping());
    }

    public static String defaultRegistry() {
        String env = System.getenv("CROSSMODAL_REGISTRY_DIR");
        return env != null && !env.isBlank() ? env : Path.of(System.getProperty("user.home"), ".cache", "crossmodal", "registry").toString();
    }

    public static JobConfig read(Path file) throws IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException("config file not found: " + file);
        }
        try {
            return JSON.readValue(file.toFile(), JobConfig.class);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("invalid config " + file + ": " + cause.getMessage(), e);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("invalid config " + file + ": " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        }
    }

    /**
     * A config recorded by an earlier run (a bundle's lineage, a run directory): one written before
     * {@code split.grouping} existed was split per word, so a missing grouping means {@code word}
     * there (the default for new configs is {@code homophones}); everything else as {@link #parse}.
     */
    public static JobConfig parseRecorded(String json) {
        try {
            com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(json);
            if (tree.isObject()) {
                com.fasterxml.jackson.databind.node.ObjectNode split = ((com.fasterxml.jackson.databind.node.ObjectNode) tree)
                        .with("split");
                if (!split.has("grouping")) {
                    split.put("grouping", SplitConfig.GROUP_WORD);
                }
                json = JSON.writeValueAsString(tree);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid config: " + e.getMessage(), e);
        }
        return parse(json);
    }

    public static JobConfig parse(String json) {
        try {
            return JSON.readValue(json, JobConfig.class);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            throw new IllegalArgumentException("invalid config: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid config: " + e.getMessage(), e);
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> toMap() {
        return JSON.convertValue(this, Map.class);
    }

    private static int range(String what, Integer v, int dflt, int min, int max) {
        int x = v == null ? dflt : v;
        if (x < min || x > max) {
            throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "], got " + x);
        }
        return x;
    }

    private static int positive(String what, Integer v, int dflt) {
        int x = v == null ? dflt : v;
        if (x < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + x);
        }
        return x;
    }
}
