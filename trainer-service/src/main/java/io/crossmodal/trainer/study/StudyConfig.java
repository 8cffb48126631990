package io.crossmodal.trainer.study;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.crossmodal.trainer.config.JobConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The low-resource study of docs/NOISY_CHANNEL.md: a grid of paired sizes x systems x seeds over
 * one fixed split, plus the all-pairs supervised ceiling and the zero-paired runs. Every run is an
 * ordinary job built from {@code base} (a job config) with the fields below overridden.
 *
 * @param base             job config template (model, train, data, split sizes other than paired, semi settings)
 * @param pairedSizes      paired words per run
 * @param seeds            training seeds; sizes up to {@code multiSeedMaxSize} use all, larger ones the first
 * @param systems          system name -> semi weights (absent fields = 1); {@code supervised} must be among them
 * @param splitSeed        seed of the word split, shared by every run (same test words everywhere)
 * @param ceiling          overrides for the all-pairs supervised ceiling run ({@code null} = no ceiling run)
 * @param zeroPaired       attentions ({@code location}, {@code luong}) for the no-paired-data runs
 * @param zeroPairedSemi   overrides of the semi section for the zero-paired runs
 * @param parallel         runs at once (each with {@code base.train.threads} threads)
 * @param systemSemi       per system, further {@code semi} fields merged over the base's (e.g.
 *                         {@code importanceWeighting}, {@code sleepSource}, {@code rerank}); a system
 *                         named here must be in {@code systems}
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record StudyConfig(String name, String outDir, String resultsDir, JsonNode base, List<Integer> pairedSizes,
        List<Long> seeds, Integer multiSeedMaxSize, Map<String, Map<String, Double>> systems, Long splitSeed,
        JsonNode ceiling, List<String> zeroPaired, JsonNode zeroPairedSemi, Integer parallel,
        Map<String, JsonNode> systemSemi) {

    static final ObjectMapper JSON = Json.STRICT;
    public static final String SUPERVISED = "supervised";

    public StudyConfig {
        name = name == null ? "nc-study" : name;
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,40}")) {
            throw new IllegalArgumentException("study name must match [a-z0-9][a-z0-9._-]{0,40}, got '" + name + "'");
        }
        outDir = outDir == null ? "runs/" + name : outDir;
        resultsDir = resultsDir == null ? outDir + "/results" : resultsDir;
        if (base == null || !base.isObject()) {
            throw new IllegalArgumentException("study needs a 'base' job config object");
        }
        pairedSizes = pairedSizes == null ? List.of(100, 500, 1000, 5000) : List.copyOf(pairedSizes);
        for (int p : pairedSizes) {
            if (p < 1) {
                throw new IllegalArgumentException("pairedSizes must be >= 1 (the zero-paired runs are 'zeroPaired'), got " + p);
            }
        }
        seeds = seeds == null ? List.of(1L, 2L, 3L) : List.copyOf(seeds);
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("seeds must not be empty");
        }
        multiSeedMaxSize = multiSeedMaxSize == null ? 1000 : multiSeedMaxSize;
        if (systems == null) {
            systems = new LinkedHashMap<>();
            systems.put(SUPERVISED, Map.of("prior", 0.0, "wake", 0.0, "sleep", 0.0));
            systems.put("noisy-channel", Map.of());
            systems.put("sleep-only", Map.of("prior", 0.0, "wake", 0.0));
            systems.put("wake-only", Map.of("prior", 0.0, "sleep", 0.0));
        }
        if (!systems.containsKey(SUPERVISED)) {
            throw new IllegalArgumentException("systems must include the '" + SUPERVISED + "' baseline");
        }
        splitSeed = splitSeed == null ? 1L : splitSeed;
        zeroPaired = zeroPaired == null ? List.of() : List.copyOf(zeroPaired);
        for (String a : zeroPaired) {
            if (!JobConfig.Model.ATTENTIONS.contains(a)) {
                throw new IllegalArgumentException("zeroPaired entries must be attentions " + JobConfig.Model.ATTENTIONS + ", got '" + a + "'");
            }
        }
        systemSemi = systemSemi == null ? Map.of() : Map.copyOf(systemSemi);
        for (Map.Entry<String, JsonNode> e : systemSemi.entrySet()) {
            if (!systems.containsKey(e.getKey())) {
                throw new IllegalArgumentException("systemSemi names '" + e.getKey() + "', which is not in systems "
                        + systems.keySet());
            }
            if (!e.getValue().isObject()) {
                throw new IllegalArgumentException("systemSemi." + e.getKey() + " must be an object of semi fields");
            }
        }
        parallel = parallel == null ? 1 : parallel;
        if (parallel < 1 || parallel > 16) {
            throw new IllegalArgumentException("parallel must be in 1..16, got " + parallel);
        }
    }

    public static StudyConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("study config not found: " + file);
        }
        try {
            return JSON.readValue(file.toFile(), StudyConfig.class);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            throw new IllegalArgumentException("invalid study config " + file + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("invalid study config " + file + ": " + e.getOriginalMessage(), e);
        }
    }

    /** One planned run: its identity in the grid and the job config it trains. */
    public record Run(String id, String group, int paired, String system, long seed, JobConfig job) {}

    /** Every run of the study in execution order (cheap, informative runs first). */
    public List<Run> plan() {
        List<Run> runs = new ArrayList<>();
        for (int p : pairedSizes) {
            List<Long> ss = p <= multiSeedMaxSize ? seeds : seeds.subList(0, 1);
            for (long seed : ss) {
                for (Map.Entry<String, Map<String, Double>> sys : systems.entrySet()) {
                    ObjectNode weights = JSON.valueToTree(sys.getValue());
                    runs.add(run("p" + p, p, sys.getKey(), seed, job -> {
                        ((ObjectNode) job.with("split")).put("paired", p);
                        ObjectNode semi = (ObjectNode) job.with("semi");
                        semi.put("enabled", true).set("weights", weights);
                        JsonNode extra = systemSemi.get(sys.getKey());
                        if (extra != null) {
                            merge(semi, (ObjectNode) extra);
                        }
                    }));
                }
            }
        }
        for (String attention : zeroPaired) {
            long seed = seeds.get(0);
            runs.add(run("p0-" + attention, 0, "noisy-channel", seed, job -> {
                ((ObjectNode) job.with("split")).put("paired", 0);
                ((ObjectNode) job.with("model")).put("attention", attention);
                ObjectNode semi = (ObjectNode) job.with("semi");
                semi.put("enabled", true);
                ObjectNode w = JSON.createObjectNode().put("supervised", 0.0);
                semi.set("weights", w);
                if (zeroPairedSemi != null) {
                    semi.setAll((ObjectNode) zeroPairedSemi.deepCopy());
                }
            }));
        }
        if (ceiling != null) {
            runs.add(run("all", -1, SUPERVISED, seeds.get(0), job -> {
                ((ObjectNode) job.with("split")).put("paired", -1).put("unpairedGraphemes", 0).put("unpairedPhonemes", 0);
                job.remove("semi");
                merge(job, (ObjectNode) ceiling);
            }));
        }
        return runs;
    }

    private Run run(String group, int paired, String system, long seed, java.util.function.Consumer<ObjectNode> edit) {
        ObjectNode job = base.deepCopy();
        edit.accept(job);
        String id = group + "-" + system + "-s" + seed;
        job.put("name", name + "-" + group);
        job.put("seed", seed);
        ((ObjectNode) job.with("split")).put("seed", splitSeed);
        job.put("runDir", Path.of(outDir, "runs", id).toString());
        job.put("registryDir", Path.of(outDir, "registry").toString());
        try {
            return new Run(id, group, paired, system, seed, JSON.treeToValue(job, JobConfig.class));
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("study run " + id + ": invalid job config: " + cause.getMessage(), e);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("study run " + id + ": invalid job config: " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("study run " + id + ": invalid job config: " + e.getMessage(), e);
        }
    }

    /** Deep merge of {@code over} into {@code into} (objects merge, everything else replaces). */
    static void merge(ObjectNode into, ObjectNode over) {
        over.fields().forEachRemaining(e -> {
            JsonNode cur = into.get(e.getKey());
            if (cur != null && cur.isObject() && e.getValue().isObject()) {
                merge((ObjectNode) cur, (ObjectNode) e.getValue());
            } else {
                into.set(e.getKey(), e.getValue().deepCopy());
            }
        });
    }
}
