package io.crossmodal.lifecycle.gate;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The promotion gate (docs/LIFECYCLE.md, "Gate file"): per-metric absolute bounds and bounds on
 * the relative change over production, and the paired-bootstrap test on one metric's difference.
 * Metric names are data: the gate file names whatever the model family reports ({@code per},
 * {@code wer} for seq2seq; a name qualified by a component, {@code g2p.per}, applies to that
 * component only); {@link Gate} rejects a name the evaluated component does not report.
 * Parsing is strict: an unknown or mistyped field is an {@link IllegalArgumentException} naming it.
 *
 * @param components components to gate (empty = the family's default: every component it gates)
 * @param metrics    thresholds by metric name
 * @param bootstrap  the paired bootstrap settings
 * @param beamWidth  beam width of both evaluations (0 = the candidate's training config)
 */
public record GateConfig(List<String> components, Map<String, Threshold> metrics, Bootstrap bootstrap, int beamWidth) {

    /** Metric names: letters, digits, '_', '-', and '.' to qualify by component ({@code g2p.per}). */
    static final java.util.regex.Pattern METRIC_NAME = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,99}");
    private static final ObjectMapper JSON = Json.MAPPER;

    /**
     * Bounds for a lower-is-better metric ({@code max}, {@code maxRelativeIncrease}) or a
     * higher-is-better one ({@code min}, {@code maxRelativeDecrease}); any may be null (no bound).
     *
     * @param max                 the candidate's metric must be {@code <= max}
     * @param maxRelativeIncrease {@code (candidate - production) / production <= maxRelativeIncrease}
     * @param min                 the candidate's metric must be {@code >= min}
     * @param maxRelativeDecrease {@code (production - candidate) / production <= maxRelativeDecrease}
     */
    public record Threshold(Double max, Double maxRelativeIncrease, Double min, Double maxRelativeDecrease) {
        public Threshold(Double max, Double maxRelativeIncrease) {
            this(max, maxRelativeIncrease, null, null);
        }
    }

    /**
     * @param samples    bootstrap resamples (>= 100)
     * @param confidence two-sided confidence level of the percentile interval, in (0, 1)
     * @param seed       seed of the resampling (the decision is reproducible)
     * @param margin     lower is better: the CI's upper bound of metric(candidate) - metric(production) must be
     *                   {@code <= margin}; higher is better: its lower bound must be {@code >= -margin}
     * @param metric     the per-example metric compared (null = the family's first per-example metric, e.g. PER)
     * @param higherIsBetter whether a larger value of the metric is better (accuracy, purity)
     */
    public record Bootstrap(int samples, double confidence, long seed, double margin, String metric, boolean higherIsBetter) {
        public Bootstrap(int samples, double confidence, long seed, double margin) {
            this(samples, confidence, seed, margin, null, false);
        }
    }

    public GateConfig {
        components = List.copyOf(components);
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    public static GateConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("gate file not found: " + file);
        }
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read gate file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses gate JSON; {@code source} names the file in error messages. */
    public static GateConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("gate file " + source + " is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        }
        String where = "gate file " + source + ": ";
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(where + "the top level must be a JSON object");
        }
        allowOnly(root, "", where, "components", "metrics", "bootstrap", "beamWidth");
        List<String> components = new ArrayList<>();
        JsonNode c = root.get("components");
        if (c != null) {
            if (!c.isArray()) {
                throw new IllegalArgumentException(where + "'components' must be an array of component names");
            }
            for (JsonNode n : c) {
                if (!n.isTextual() || n.asText().isBlank()) {
                    throw new IllegalArgumentException(where + "'components' entries must be component names, got " + n);
                }
                components.add(n.asText());
            }
        }
        JsonNode m = root.get("metrics");
        if (m == null || !m.isObject() || m.isEmpty()) {
            throw new IllegalArgumentException(where + "'metrics' is required: an object such as {\"per\": {\"max\": 0.5}}");
        }
        Map<String, Threshold> metrics = new LinkedHashMap<>();
        for (Iterator<String> it = m.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!METRIC_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(where + "invalid metric name 'metrics." + name + "' (letters, digits, '_',"
                        + " '-', '.'; e.g. per or g2p.per)");
            }
            JsonNode t = m.get(name);
            if (!t.isObject()) {
                throw new IllegalArgumentException(where + "'metrics." + name + "' must be an object");
            }
            allowOnly(t, "metrics." + name + ".", where, "max", "maxRelativeIncrease", "min", "maxRelativeDecrease");
            Double max = number(t, "max", "metrics." + name + ".max", where, 0, Double.MAX_VALUE);
            Double rel = number(t, "maxRelativeIncrease", "metrics." + name + ".maxRelativeIncrease", where, -1, Double.MAX_VALUE);
            Double min = number(t, "min", "metrics." + name + ".min", where, -Double.MAX_VALUE, Double.MAX_VALUE);
            Double dec = number(t, "maxRelativeDecrease", "metrics." + name + ".maxRelativeDecrease", where, -1, Double.MAX_VALUE);
            if (max == null && rel == null && min == null && dec == null) {
                throw new IllegalArgumentException(where + "'metrics." + name + "' sets neither 'max' nor 'maxRelativeIncrease'"
                        + " (nor 'min' nor 'maxRelativeDecrease')");
            }
            metrics.put(name, new Threshold(max, rel, min, dec));
        }
        JsonNode b = root.get("bootstrap");
        Bootstrap bootstrap = new Bootstrap(1000, 0.95, 7, 0.0);
        if (b != null) {
            if (!b.isObject()) {
                throw new IllegalArgumentException(where + "'bootstrap' must be an object");
            }
            allowOnly(b, "bootstrap.", where, "samples", "confidence", "seed", "margin", "metric", "higherIsBetter");
            JsonNode metric = b.get("metric");
            if (metric != null && !(metric.isTextual() && METRIC_NAME.matcher(metric.asText()).matches())) {
                throw new IllegalArgumentException(where + "'bootstrap.metric' must be a metric name, got " + metric);
            }
            JsonNode higher = b.get("higherIsBetter");
            if (higher != null && !higher.isBoolean()) {
                throw new IllegalArgumentException(where + "'bootstrap.higherIsBetter' must be true or false, got " + higher);
            }
            Double samples = number(b, "samples", "bootstrap.samples", where, 100, 1_000_000);
            Double conf = number(b, "confidence", "bootstrap.confidence", where, 0, 1);
            Double seed = number(b, "seed", "bootstrap.seed", where, -Double.MAX_VALUE, Double.MAX_VALUE);
            Double margin = number(b, "margin", "bootstrap.margin", where, -1, 1);
            if (samples != null && samples != Math.rint(samples)) {
                throw new IllegalArgumentException(where + "'bootstrap.samples' must be an integer, got " + samples);
            }
            if (conf != null && (conf <= 0 || conf >= 1)) {
                throw new IllegalArgumentException(where + "'bootstrap.confidence' must be in (0, 1), got " + conf);
            }
            if (seed != null && (seed != Math.rint(seed) || !b.get("seed").canConvertToLong())) {
                throw new IllegalArgumentException(where + "'bootstrap.seed' must be an integer, got " + b.get("seed"));
            }
            bootstrap = new Bootstrap(samples == null ? 1000 : samples.intValue(), conf == null ? 0.95 : conf,
                    seed == null ? 7 : b.get("seed").asLong(), margin == null ? 0.0 : margin,
                    metric == null ? null : metric.asText(), higher != null && higher.asBoolean());
        }
        Double beam = number(root, "beamWidth", "beamWidth", where, 1, 64);
        if (beam != null && beam != Math.rint(beam)) {
            throw new IllegalArgumentException(where + "'beamWidth' must be an integer, got " + beam);
        }
        return new GateConfig(components, metrics, bootstrap, beam == null ? 0 : beam.intValue());
    }

    private static void allowOnly(JsonNode node, String prefix, String where, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ok.contains(f)) {
                throw new IllegalArgumentException(where + "unknown field '" + prefix + f + "' (allowed: "
                        + String.join(", ", allowed) + ")");
            }
        }
    }

    private static Double number(JsonNode node, String field, String path, String where, double min, double max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(where + "'" + path + "' must be a number, got " + v);
        }
        double d = v.asDouble();
        if (!Double.isFinite(d) || d < min || d > max) {
            throw new IllegalArgumentException(where + "'" + path + "' must be in [" + fmt(min) + ", " + fmt(max) + "], got " + v);
        }
        return d;
    }

    private static String fmt(double d) {
        return d == Double.MAX_VALUE ? "inf" : d == -Double.MAX_VALUE ? "-inf" : Double.toString(d);
    }

    /** The gate as JSON-friendly maps (recorded in every decision). */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("components", components);
        Map<String, Object> ms = new LinkedHashMap<>();
        metrics.forEach((k, t) -> {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("max", t.max());
            tm.put("maxRelativeIncrease", t.maxRelativeIncrease());
            if (t.min() != null || t.maxRelativeDecrease() != null) {
                tm.put("min", t.min());
                tm.put("maxRelativeDecrease", t.maxRelativeDecrease());
            }
            ms.put(k, tm);
        });
        out.put("metrics", ms);
        Map<String, Object> bm = new LinkedHashMap<>();
        bm.put("samples", bootstrap.samples());
        bm.put("confidence", bootstrap.confidence());
        bm.put("seed", bootstrap.seed());
        bm.put("margin", bootstrap.margin());
        if (bootstrap.metric() != null || bootstrap.higherIsBetter()) {
            bm.put("metric", bootstrap.metric());
            bm.put("higherIsBetter", bootstrap.higherIsBetter());
        }
        out.put("bootstrap", bm);
        out.put("beamWidth", beamWidth);
        return out;
    }
}
