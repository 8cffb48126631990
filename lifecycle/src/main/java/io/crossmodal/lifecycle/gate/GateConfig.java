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
 * The promotion gate (docs/LIFECYCLE.md, "Gate file"): per-metric absolute maxima and maximum
 * relative increase over production, and the paired-bootstrap test on the PER difference.
 * Parsing is strict: an unknown or mistyped field is an {@link IllegalArgumentException} naming it.
 *
 * @param components seq2seq components to gate (empty = every seq2seq component of the candidate)
 * @param metrics    thresholds by metric name ({@code per}, {@code wer})
 * @param bootstrap  the paired bootstrap settings
 * @param beamWidth  beam width of both evaluations (0 = the candidate's training config)
 */
public record GateConfig(List<String> components, Map<String, Threshold> metrics, Bootstrap bootstrap, int beamWidth) {

    public static final Set<String> METRICS = Set.of("per", "wer");
    private static final ObjectMapper JSON = Json.MAPPER;

    /**
     * @param max                 the candidate's metric must be {@code <= max} (null = no bound)
     * @param maxRelativeIncrease {@code (candidate - production) / production <= maxRelativeIncrease} (null = no bound)
     */
    public record Threshold(Double max, Double maxRelativeIncrease) {}

    /**
     * @param samples    bootstrap resamples (>= 100)
     * @param confidence two-sided confidence level of the percentile interval, in (0, 1)
     * @param seed       seed of the resampling (the decision is reproducible)
     * @param margin     the upper bound of the CI of PER(candidate) - PER(production) must be {@code <= margin}
     */
    public record Bootstrap(int samples, double confidence, long seed, double margin) {}

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
                if (!n.isTextual() || !(n.asText().equals("g2p") || n.asText().equals("p2g"))) {
                    throw new IllegalArgumentException(where + "'components' entries must be \"g2p\" or \"p2g\", got " + n);
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
            if (!METRICS.contains(name)) {
                throw new IllegalArgumentException(where + "unknown metric 'metrics." + name + "' (known: per, wer)");
            }
            JsonNode t = m.get(name);
            if (!t.isObject()) {
                throw new IllegalArgumentException(where + "'metrics." + name + "' must be an object");
            }
            allowOnly(t, "metrics." + name + ".", where, "max", "maxRelativeIncrease");
            Double max = number(t, "max", "metrics." + name + ".max", where, 0, Double.MAX_VALUE);
            Double rel = number(t, "maxRelativeIncrease", "metrics." + name + ".maxRelativeIncrease", where, -1, Double.MAX_VALUE);
            if (max == null && rel == null) {
                throw new IllegalArgumentException(where + "'metrics." + name + "' sets neither 'max' nor 'maxRelativeIncrease'");
            }
            metrics.put(name, new Threshold(max, rel));
        }
        JsonNode b = root.get("bootstrap");
        Bootstrap bootstrap = new Bootstrap(1000, 0.95, 7, 0.0);
        if (b != null) {
            if (!b.isObject()) {
                throw new IllegalArgumentException(where + "'bootstrap' must be an object");
            }
            allowOnly(b, "bootstrap.", where, "samples", "confidence", "seed", "margin");
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
                    seed == null ? 7 : b.get("seed").asLong(), margin == null ? 0.0 : margin);
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
            ms.put(k, tm);
        });
        out.put("metrics", ms);
        out.put("bootstrap", Map.of("samples", bootstrap.samples(), "confidence", bootstrap.confidence(),
                "seed", bootstrap.seed(), "margin", bootstrap.margin()));
        out.put("beamWidth", beamWidth);
        return out;
    }
}
