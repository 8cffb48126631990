package io.crossmodal.family.seq2seq.eval;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to interpret and reproduce one evaluation run: which model, which data
 * (seed + split fingerprint), which config, the metrics, timings and a few example errors.
 *
 * @param modelName model (bundle) name, with version if known
 * @param direction e.g. {@code g2p} or {@code p2g}
 * @param split evaluated split, e.g. {@code test}
 * @param counts sizes worth reporting (e.g. words per split), in the caller's order
 * @param metrics error rates on {@code split}
 * @param config training/evaluation config, in the caller's order
 * @param seed split seed
 * @param dataFingerprint {@code DataSplit.fingerprint()} of the data used
 * @param timings seconds per phase, in the caller's order
 * @param examples some wrongly predicted words
 */
public record EvalReport(String modelName, String direction, String split, Map<String, Integer> counts,
        ErrorRates metrics, Map<String, Object> config, long seed, String dataFingerprint,
        Map<String, Double> timings, List<WordScore> examples) {

    private static final ObjectMapper JSON = Json.MAPPER;

    public EvalReport {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(dataFingerprint, "dataFingerprint");
        counts = copy(counts);
        config = copy(config); // config values may legitimately be null, so no Map.copyOf
        timings = copy(timings);
        examples = examples == null ? List.of() : List.copyOf(examples);
    }

    public void writeJson(Path file) throws IOException {
        writeAtomically(file, JSON.writeValueAsBytes(this));
    }

    public static EvalReport readJson(Path file) throws IOException {
        return JSON.readValue(file.toFile(), EvalReport.class);
    }

    public void writeMarkdown(Path file) throws IOException {
        writeAtomically(file, toMarkdown().getBytes(StandardCharsets.UTF_8));
    }

    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Evaluation: ").append(cell(modelName)).append(" (").append(cell(direction))
                .append(", ").append(cell(split)).append(")\n\n");
        md.append("| metric | value |\n|---|---:|\n");
        row(md, "PER", percent(metrics.per()));
        row(md, "WER", percent(metrics.wer()));
        row(md, "words", metrics.words());
        row(md, "phoneme errors", metrics.phonemeErrors());
        row(md, "reference length", metrics.referenceLength());
        md.append("\n## Data\n\n| item | value |\n|---|---|\n");
        row(md, "seed", seed);
        row(md, "fingerprint", "`" + dataFingerprint + "`");
        counts.forEach((k, v) -> row(md, k, v));
        table(md, "Config", "key", "value", config);
        if (!timings.isEmpty()) {
            md.append("\n## Timings\n\n| phase | seconds |\n|---|---:|\n");
            timings.forEach((k, v) -> row(md, k, v == null ? "" : String.format(Locale.ROOT, "%.3f", v)));
        }
        if (!examples.isEmpty()) {
            md.append("\n## Example errors\n\n| word | hypothesis | closest reference | distance |\n|---|---|---|---:|\n");
            for (WordScore s : examples) {
                md.append("| ").append(cell(s.word())).append(" | ").append(cell(String.join(" ", s.hypothesis())))
                        .append(" | ").append(cell(String.join(" ", s.reference()))).append(" | ")
                        .append(s.distance()).append(" |\n");
            }
        }
        return md.toString();
    }

    private static void table(StringBuilder md, String title, String k, String v, Map<String, ?> map) {
        if (!map.isEmpty()) {
            md.append("\n## ").append(title).append("\n\n| ").append(k).append(" | ").append(v).append(" |\n|---|---|\n");
            map.forEach((key, value) -> row(md, key, value));
        }
    }

    private static void row(StringBuilder md, String key, Object value) {
        md.append("| ").append(cell(key)).append(" | ").append(cell(String.valueOf(value))).append(" |\n");
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.2f %%", 100 * rate);
    }

    // Pipes and newlines would break the table layout.
    private static String cell(String s) {
        return s.replace("|", "\\|").replace('\n', ' ');
    }

    private static <V> Map<String, V> copy(Map<String, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    // Temp file in the target directory + atomic rename: readers never see a half-written report.
    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
