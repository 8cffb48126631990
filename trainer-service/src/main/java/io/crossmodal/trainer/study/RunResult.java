package io.crossmodal.trainer.study;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one finished study run measured, read back from its run directory: test PER/WER of both
 * directions (beam search over the exported ONNX graphs, {@code report-*.json}; with reranking on,
 * also {@code <c>.rerank.per/wer}), the best dev PER of each direction (greedy, the selection metric),
 * the registered bundle version, the processor it ran on ({@code machine}: runs are deterministic
 * per machine, not across processors) and its skipped non-finite updates ({@code nonFinite}: per
 * component in the warm-up, and the semi phase's total, first occurrence and parameters).
 */
public record RunResult(String id, String group, int paired, String system, long seed, Map<String, Double> test,
        Map<String, Double> dev, Integer version, double seconds, String machine, Map<String, Object> nonFinite) {

    public RunResult(String id, String group, int paired, String system, long seed, Map<String, Double> test,
            Map<String, Double> dev, Integer version, double seconds) {
        this(id, group, paired, system, seed, test, dev, version, seconds, null, null);
    }

    private static final ObjectMapper JSON = Json.MAPPER;

    static final String FILE = "study-result.json";

    /** The result the runner recorded when the run finished, or null (not run, or interrupted). */
    static RunResult load(Path runDir) throws IOException {
        Path f = runDir.resolve(FILE);
        return Files.isRegularFile(f) ? JSON.readValue(f.toFile(), RunResult.class) : null;
    }

    /** Records a finished run atomically (a crash never leaves a result that looks finished). */
    void save(Path runDir) throws IOException {
        Path tmp = runDir.resolve(FILE + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
        Files.move(tmp, runDir.resolve(FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static RunResult read(StudyConfig.Run run, Path runDir, Integer version, double seconds) throws IOException {
        Map<String, Double> test = new LinkedHashMap<>();
        Map<String, Double> dev = new LinkedHashMap<>();
        for (String c : new String[] {"g2p", "p2g"}) {
            JsonNode m = JSON.readTree(runDir.resolve("report-" + c + ".json").toFile()).path("metrics");
            test.put(c + ".per", m.path("per").asDouble());
            test.put(c + ".wer", m.path("wer").asDouble());
            dev.put(c + ".per", bestDev(runDir, c));
        }
        Path metricsFile = runDir.resolve("metrics.json");
        JsonNode metrics = Files.isRegularFile(metricsFile) ? JSON.readTree(metricsFile.toFile()) : JSON.createObjectNode();
        Map<String, Object> nonFinite = new LinkedHashMap<>();
        for (String c : new String[] {"g2p", "p2g"}) {
            if (metrics.has(c + ".test.rerank.per")) {
                test.put(c + ".rerank.per", metrics.get(c + ".test.rerank.per").asDouble());
                test.put(c + ".rerank.wer", metrics.get(c + ".test.rerank.wer").asDouble());
            }
        }
        metrics.fields().forEachRemaining(e -> {
            if (e.getKey().contains("nonfinite")) {
                nonFinite.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
            }
        });
        String machine = metrics.path("machine.cpu").asText(null);
        return new RunResult(run.id(), run.group(), run.paired(), run.system(), run.seed(), test, dev, version, seconds,
                machine, nonFinite);
    }

    /** Lowest dev PER over the semi epochs (epoch 0 = after warm-up), else the supervised trainer's best. */
    private static double bestDev(Path runDir, String component) throws IOException {
        Path semi = runDir.resolve("semi-history.json");
        if (Files.isRegularFile(semi)) {
            double best = Double.POSITIVE_INFINITY;
            for (JsonNode e : JSON.readTree(semi.toFile())) {
                best = Math.min(best, e.path("dev").path(component + ".per").asDouble(Double.POSITIVE_INFINITY));
            }
            return best;
        }
        Path state = runDir.resolve("checkpoints").resolve(component).resolve("state.json");
        return Files.isRegularFile(state) ? JSON.readTree(state.toFile()).path("bestDev").asDouble(Double.NaN) : Double.NaN;
    }
}
