package io.crossmodal.trainer.family.vqvae.study;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.features.audio.WavDecoder;
import io.crossmodal.runtime.io.Json;
import io.crossmodal.trainer.family.pvae.eval.Figures;
import io.crossmodal.trainer.family.vqvae.VqvaeConfig;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.family.vqvae.eval.VqvaeEvaluator;
import io.crossmodal.trainer.family.vqvae.train.VqvaeTrainer;
import io.crossmodal.trainer.progress.ConsoleProgress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs every (bottleneck, jitter, seed) of the plan (with jitter on, for each of the plan's jitter
 * probabilities when it sweeps them; the table then orders rows by probability, p = 0 being jitter
 * off): trains (resuming a finished or interrupted run from its checkpoint), measures
 * ({@link VqvaeEvaluator}) and keeps each run's metrics in {@code runRoot/NAME/metrics.json}; then writes {@code results.md}, {@code results.json} and
 * {@code probes.png} into the output directory from every run that has finished, so a study cut
 * short still reports what it has.
 */
public final class VqvaeStudy {

    private static final ObjectMapper JSON = Json.MAPPER;

    /** Metrics of one finished run; {@code jitterP} is 0 when jitter is off. */
    public record RunResult(String name, String bottleneck, boolean jitter, double jitterP, long seed, Map<String, Double> metrics) {}

    private final VqvaeStudyConfig study;
    private final VqvaeConfig base;
    private final String command;
    private final PrintStream out;

    private final boolean reportOnly;

    public VqvaeStudy(VqvaeStudyConfig study, VqvaeConfig base, String command, PrintStream out) {
        this(study, base, command, out, false);
    }

    /** {@code reportOnly}: no training; report the runs that have finished and draw the figures. */
    public VqvaeStudy(VqvaeStudyConfig study, VqvaeConfig base, String command, PrintStream out, boolean reportOnly) {
        this.reportOnly = reportOnly;
        this.study = study;
        this.base = base;
        this.command = command;
        this.out = out;
    }

    public static String runName(String bottleneck, boolean jitter, long seed) {
        return bottleneck + (jitter ? "-jitter" : "-nojitter") + "-s" + seed;
    }

    /** A swept run's name: the jitter probability is part of it, so runs of different p never share a directory. */
    public static String runName(String bottleneck, boolean jitter, double jitterP, long seed) {
        return jitter ? String.format(Locale.ROOT, "%s-jitter-p%s-s%d", bottleneck, probability(jitterP), seed)
                : runName(bottleneck, false, seed);
    }

    private static String probability(double p) {
        return java.math.BigDecimal.valueOf(p).stripTrailingZeros().toPlainString();
    }

    /** The jitter probabilities to run with jitter on: the study's sweep, else the job's one. */
    private List<Double> probabilities(boolean jitter) {
        return !jitter ? List.of(0.0) : study.jitterP() == null ? List.of(base.jitterP()) : study.jitterP();
    }

    private String group(RunResult r) {
        String g = r.bottleneck() + (r.jitter() ? " + jitter" : "");
        if (study.jitterP() == null) {
            return g;
        }
        return r.jitter() ? g + " p=" + probability(r.jitterP()) : g + " (no jitter, p=0)";
    }

    public List<RunResult> run() throws IOException {
        VqvaeData data = VqvaeData.load(base);
        double seconds = meanTrimmedSeconds(Path.of(base.speechDir()), VqvaeData.features(base));
        out.printf(Locale.ROOT, "spoken digits: %d train, %d test, %d speakers; mean trimmed duration %.3f s%n",
                data.train().size(), data.test().size(), data.speakers().size(), seconds);
        VqvaeEvaluator evaluator = new VqvaeEvaluator(data, study.heldOutSpeakers(), seconds);
        List<RunResult> results = new ArrayList<>();
        for (String bottleneck : study.bottlenecks()) {
            for (boolean jitter : study.jitter()) {
                for (double p : probabilities(jitter)) {
                    for (long seed : study.seeds()) {
                        RunResult r = runOne(bottleneck, jitter, p, seed, data, evaluator);
                        if (r != null) {
                            results.add(r);
                            report(results, seconds, data, null);
                        }
                    }
                }
            }
        }
        String caption = study.figures() ? figures(results, data) : null;
        report(results, seconds, data, caption);
        return results;
    }

    /** One run's metrics: read when it has finished before, else trained and measured; null when reporting only. */
    private RunResult runOne(String bottleneck, boolean jitter, double p, long seed, VqvaeData data, VqvaeEvaluator evaluator)
            throws IOException {
        String name = study.jitterP() == null ? runName(bottleneck, jitter, seed) : runName(bottleneck, jitter, p, seed);
        Path dir = Path.of(study.runRoot()).resolve(name);
        Path metricsFile = dir.resolve("metrics.json");
        Map<String, Double> metrics;
        if (Files.exists(metricsFile)) {
            metrics = readMetrics(metricsFile);
        } else if (reportOnly) {
            return null;
        } else {
            VqvaeConfig cfg = jitter ? base.with(bottleneck, true, p, seed, dir.toString())
                    : base.with(bottleneck, false, seed, dir.toString());
            try (NDManager m = NDManager.newBaseManager()) {
                VqvaeTrainer.Result r = new VqvaeTrainer(cfg, data, new ConsoleProgress(out), name).train(m, dir);
                metrics = new LinkedHashMap<>(evaluator.evaluate(r.net(), m, seed));
                metrics.put("held_out_loss", r.history().get(r.history().size() - 1).dev());
                metrics.put("train_seconds", r.seconds());
                metrics.put("reinitialised_codes", (double) r.reinitialisedCodes());
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(metricsFile.toFile(), metrics);
        }
        out.println(name + ": " + metrics);
        return new RunResult(name, bottleneck, jitter, p, seed, metrics);
    }

    private static Map<String, Double> readMetrics(Path f) throws IOException {
        return JSON.readValue(f.toFile(), JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Double.class));
    }

    /** The mean duration of the trimmed recordings, which the model's fixed frame count spans. */
    public static double meanTrimmedSeconds(Path dir, SpeechFeatures features) throws IOException {
        double hop = features.config().hopMs() / 1000.0;
        double sum = 0;
        int n = 0;
        try (Stream<Path> s = Files.list(dir.resolve("recordings"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".wav")).sorted().toList()) {
                sum += features.logMel(WavDecoder.decode(f)).length * hop;
                n++;
            }
        }
        return sum / n;
    }

    static final String[] COLUMNS = {"digit_probe_linear", "digit_probe_mlp", "speaker_probe_linear", "speaker_probe_mlp",
        "recon_mse_teacher_forced", "recon_mse_free_running", "codebook_perplexity", "dead_codes", "bits_per_second",
        "entropy_bits_per_second"};

    /**
     * Spectrograms and WAVs from the VQ + jitter run with the best digit probe (else the first
     * finished run), voice-converted to the first of the held-out speakers; null when no run finished.
     */
    private String figures(List<RunResult> results, VqvaeData data) throws IOException {
        RunResult best = results.stream().filter(r -> r.bottleneck().equals("vq") && r.jitter())
                .max(java.util.Comparator.comparingDouble(r -> r.metrics().get("digit_probe_mlp")))
                .orElse(results.isEmpty() ? null : results.get(0));
        if (best == null) {
            return null;
        }
        Path dir = Path.of(study.runRoot()).resolve(best.name());
        String caption = io.crossmodal.trainer.family.vqvae.eval.VqvaeFigures.write(
                base.with(best.bottleneck(), best.jitter(), best.jitter() ? best.jitterP() : base.jitterP(), best.seed(),
                        dir.toString()), dir, data,
                study.heldOutSpeakers().get(0), Path.of(study.outDir()));
        return "run " + best.name() + ": " + caption;
    }

    void report(List<RunResult> results, double seconds, VqvaeData data, String figureCaption) throws IOException {
        Path outDir = Path.of(study.outDir());
        Files.createDirectories(outDir);
        Map<String, List<RunResult>> groups = new LinkedHashMap<>();
        List<RunResult> ordered = study.jitterP() == null ? results : results.stream()
                .sorted(java.util.Comparator.comparingInt((RunResult r) -> study.bottlenecks().indexOf(r.bottleneck()))
                        .thenComparingDouble(RunResult::jitterP))
                .toList();
        for (RunResult r : ordered) {
            groups.computeIfAbsent(group(r), k -> new ArrayList<>()).add(r);
        }
        StringBuilder md = new StringBuilder();
        md.append(study.jitterP() == null ? "# VQ-VAE study (METHODS.md section 3)\n\n"
                : "# VQ-VAE jitter-probability sweep (METHODS.md section 3)\n\n");
        md.append("Produced by `").append(command).append("` (seeds ").append(study.seeds()).append("; ")
                .append(results.size()).append(" runs finished). Mean and standard deviation over seeds.\n\n");
        md.append(String.format(Locale.ROOT, "Data: FSDD, %d training and %d test recordings of %d speakers; digit probe "
                + "trained on the other speakers and tested on %s; speaker probe trained on the training takes, tested on the "
                + "test takes (chance %.3f).%n%n", data.train().size(), data.test().size(), data.speakers().size(),
                study.heldOutSpeakers(), 1.0 / data.speakers().size()));
        md.append(String.format(Locale.ROOT, "Scale (reduced so that the study fits about half an hour on one busy CPU core): "
                + "%d log-mel frames x %d bins per utterance (the shared front end resamples the trimmed recording, mean %.3f s, "
                + "to that count), encoder width %d, latent size %d, %d latents per utterance (%.1f Hz over the mean duration), "
                + "K = %d codes, %s decoder with %d units, speaker embedding %d, %d epochs, batch %d, Adam %.0e, commitment %.2f, "
                + "jitter p %s, dead-code re-initialisation after %d idle steps.%n%n", base.frames(), base.melBins(), seconds,
                base.channels(), base.latentDim(), base.latents(), base.latents() / seconds, base.codes(), base.cell().toUpperCase(Locale.ROOT),
                base.decoderHidden(), base.speakerDim(), base.epochs(), base.batchSize(), base.learningRate(), base.commitment(),
                study.jitterP() == null ? String.format(Locale.ROOT, "%.2f", base.jitterP()) : "per row (p=0: jitter off)",
                base.deadCodeSteps()));
        md.append("| bottleneck | n | digit linear | digit MLP | speaker linear | speaker MLP | recon MSE (teacher-forced) "
                + "| recon MSE (free-running) | perplexity | dead codes | bits/s (log2 K) | bits/s (entropy) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        Map<String, Object> json = new LinkedHashMap<>();
        for (Map.Entry<String, List<RunResult>> g : groups.entrySet()) {
            md.append("| ").append(g.getKey()).append(" | ").append(g.getValue().size());
            Map<String, Object> summary = new LinkedHashMap<>();
            for (String c : COLUMNS) {
                double[] v = g.getValue().stream().mapToDouble(r -> r.metrics().getOrDefault(c, Double.NaN)).toArray();
                if (Double.isNaN(v[0])) {
                    md.append(" | n/a");
                    continue;
                }
                double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
                double sd = Math.sqrt(java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / Math.max(1, v.length - 1));
                md.append(String.format(Locale.ROOT, " | %.3f ± %.3f", mean, sd));
                Map<String, Object> stats = new LinkedHashMap<>(); // a fixed key order keeps re-reports diffable
                stats.put("mean", mean);
                stats.put("sd", sd);
                stats.put("n", v.length);
                summary.put(c, stats);
            }
            md.append(" |\n");
            json.put(g.getKey(), summary);
        }
        md.append("\nReconstruction errors are mean squared errors in standardised log-mel units (per-bin z-scores of the "
                + "training set) on the test takes. Bits/s are those of the unit stream at the latent rate above; continuous "
                + "bottlenecks have none. `probes.png`: each run's speaker probe (x) against its digit probe (y), MLP probes.\n");
        if (figureCaption != null) {
            md.append("\n`spectrograms.png` (log-mel, one colour scale): input, free-running reconstruction in the speaker's own "
                    + "voice, and voice conversion (the same units in another training speaker's voice), made by the exported "
                    + "ONNX graphs; `input.wav`, `reconstruction.wav`, `voice-conversion.wav`: the three inverted by Griffin-Lim "
                    + "(8 kHz; the input too, from its log-mel frames, so that no dataset file is copied). ")
                    .append(figureCaption).append(".\n");
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("command", command);
        all.put("seeds", study.seeds());
        if (study.jitterP() != null) {
            all.put("jitterP", study.jitterP());
        }
        all.put("meanTrimmedSeconds", seconds);
        all.put("summary", json);
        all.put("runs", results);
        JSON.writerWithDefaultPrettyPrinter().writeValue(outDir.resolve("results.json").toFile(), all);
        Files.writeString(outDir.resolve("results.md"), md.toString());
        List<String> labels = new ArrayList<>(groups.keySet());
        double[][] xy = new double[results.size()][];
        int[] lab = new int[results.size()];
        for (int i = 0; i < results.size(); i++) {
            RunResult r = results.get(i);
            xy[i] = new double[] {r.metrics().get("speaker_probe_mlp"), r.metrics().get("digit_probe_mlp")};
            lab[i] = labels.indexOf(group(r));
        }
        Figures.scatter(xy, lab, labels, "speaker probe (x) vs digit probe on held-out speakers (y), MLP",
                "speaker probe accuracy (MLP)", "digit probe accuracy, held-out speakers (MLP)", outDir.resolve("probes.png"));
    }
}
