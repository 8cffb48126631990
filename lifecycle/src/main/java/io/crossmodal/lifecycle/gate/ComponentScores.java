package io.crossmodal.lifecycle.gate;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a model family reports about one component evaluated on a test set, for the gate: named
 * metrics (whatever the family measures: {@code per}, {@code wer}, {@code purity}, ...) and, for the
 * metrics that are ratios of per-example sums, the per-example values the paired bootstrap resamples.
 * The gate knows no metric by name; the gate file names them.
 *
 * @param exampleIds one id per example, in a fixed order (two systems' scores pair up by position and id)
 * @param perExample per-example metrics by name; the first one is the default bootstrap metric
 * @param metrics    every metric by name: the per-example metrics' corpus values and any others (counts, ...)
 */
public record ComponentScores(List<String> exampleIds, Map<String, RatioMetric> perExample, Map<String, Double> metrics) {

    public ComponentScores {
        exampleIds = List.copyOf(exampleIds);
        perExample = Collections.unmodifiableMap(new LinkedHashMap<>(perExample));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        for (Map.Entry<String, RatioMetric> e : perExample.entrySet()) {
            if (e.getValue().size() != exampleIds.size()) {
                throw new IllegalArgumentException("per-example metric " + e.getKey() + " has " + e.getValue().size()
                        + " values for " + exampleIds.size() + " examples");
            }
        }
    }

    /** Scores whose metrics are the per-example metrics' corpus values followed by {@code extra}. */
    public static ComponentScores of(List<String> exampleIds, Map<String, RatioMetric> perExample, Map<String, Double> extra) {
        Map<String, Double> m = new LinkedHashMap<>();
        perExample.forEach((k, v) -> m.put(k, v.value()));
        extra.forEach(m::putIfAbsent);
        return new ComponentScores(exampleIds, perExample, m);
    }

    /** The metric's value; IllegalArgumentException naming the metrics there are when it is not reported. */
    public double metric(String name, String component) {
        Double v = metrics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("component " + component + " reports no metric '" + name + "' (it reports "
                    + metrics.keySet() + ")");
        }
        return v;
    }

    /** The default bootstrap metric: the first per-example metric, or null when there is none. */
    public String primaryMetric() {
        return perExample.isEmpty() ? null : perExample.keySet().iterator().next();
    }
}
