package io.crossmodal.lifecycle.gate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Applies a {@link GateConfig} to the scores a model family reported for the candidate and (if there
 * is one) the current production version on the same test examples. With no production only the
 * absolute bounds apply; with one, also the bounds on the relative change and the paired-bootstrap
 * bound on metric(candidate) - metric(production). The gate passes only if every check passes. It
 * knows no metric by name: the gate file names them, the family reports them ({@link ComponentScores}).
 */
public final class Gate {
    private Gate() {}

    /** The outcome: every check, the metrics of both systems, and the bootstrap intervals, by component. */
    public record Result(boolean passed, List<GateCheck> checks, Map<String, Map<String, Object>> candidateMetrics,
            Map<String, Map<String, Object>> productionMetrics, Map<String, PairedBootstrap.Interval> bootstrap) {

        public List<GateCheck> failed() {
            return checks.stream().filter(c -> !c.passed()).toList();
        }
    }

    /**
     * @param candidate  scores of the candidate, by component
     * @param production scores of production on the same examples, by component; null if there is no production
     * @throws IllegalArgumentException when the gate names a metric a component does not report
     */
    public static Result evaluate(GateConfig gate, Map<String, ComponentScores> candidate,
            Map<String, ComponentScores> production) {
        if (candidate.isEmpty()) {
            throw new IllegalArgumentException("nothing to gate: no component was evaluated");
        }
        checkQualifiedNames(gate, candidate);
        List<GateCheck> checks = new ArrayList<>();
        Map<String, Map<String, Object>> cm = new LinkedHashMap<>();
        Map<String, Map<String, Object>> pm = new LinkedHashMap<>();
        Map<String, PairedBootstrap.Interval> boot = new LinkedHashMap<>();
        for (Map.Entry<String, ComponentScores> e : candidate.entrySet()) {
            String comp = e.getKey();
            ComponentScores c = e.getValue();
            cm.put(comp, new LinkedHashMap<>(c.metrics()));
            ComponentScores p = null;
            if (production != null) {
                p = production.get(comp);
                if (p == null) {
                    throw new IllegalArgumentException("production was not evaluated on component " + comp);
                }
                pm.put(comp, new LinkedHashMap<>(p.metrics()));
            }
            for (Map.Entry<String, GateConfig.Threshold> t : thresholds(gate, comp).entrySet()) {
                checks.addAll(thresholdChecks(comp, t.getKey(), t.getValue(), c, p));
            }
            if (p != null) {
                checks.add(bootstrapCheck(gate.bootstrap(), comp, c, p, boot));
            }
        }
        boolean passed = checks.stream().allMatch(GateCheck::passed);
        return new Result(passed, List.copyOf(checks), cm, production == null ? null : pm, boot);
    }

    /** The thresholds that apply to a component: unqualified names, and names qualified by it ({@code g2p.per}). */
    static Map<String, GateConfig.Threshold> thresholds(GateConfig gate, String component) {
        Map<String, GateConfig.Threshold> out = new LinkedHashMap<>();
        gate.metrics().forEach((name, t) -> {
            if (name.startsWith(component + ".")) {
                out.put(name.substring(component.length() + 1), t);
            } else if (!name.contains(".")) {
                out.put(name, t);
            }
        });
        return out;
    }

    /** A qualified name must name a gated component (a typo would otherwise silently gate nothing). */
    private static void checkQualifiedNames(GateConfig gate, Map<String, ComponentScores> candidate) {
        for (String name : gate.metrics().keySet()) {
            int dot = name.indexOf('.');
            if (dot > 0 && !candidate.containsKey(name.substring(0, dot))) {
                throw new IllegalArgumentException("the gate names metric '" + name + "' but component '" + name.substring(0, dot)
                        + "' is not gated (gated: " + candidate.keySet() + ")");
            }
        }
    }

    private static List<GateCheck> thresholdChecks(String comp, String metric, GateConfig.Threshold t, ComponentScores c,
            ComponentScores p) {
        List<GateCheck> checks = new ArrayList<>();
        double cv = c.metric(metric, comp);
        String label = metric.toUpperCase(Locale.ROOT);
        if (t.max() != null) {
            double max = t.max();
            checks.add(new GateCheck(comp + "." + metric + ".max", cv <= max, cv, max,
                    String.format(Locale.ROOT, "candidate %s %s %.4f %s max %.4f", comp, label, cv, cv <= max ? "<=" : ">", max)));
        }
        if (t.min() != null) {
            double min = t.min();
            checks.add(new GateCheck(comp + "." + metric + ".min", cv >= min, cv, min,
                    String.format(Locale.ROOT, "candidate %s %s %.4f %s min %.4f", comp, label, cv, cv >= min ? ">=" : "<", min)));
        }
        if (p != null && t.maxRelativeIncrease() != null) {
            double pv = p.metric(metric, comp);
            double rel = relative(cv - pv, pv);
            double bound = t.maxRelativeIncrease();
            checks.add(new GateCheck(comp + "." + metric + ".relativeIncrease", rel <= bound, rel, bound,
                    String.format(Locale.ROOT, "candidate %s %s %.4f vs production %.4f: relative change %+.2f%% %s max %+.2f%%",
                            comp, label, cv, pv, 100 * rel, rel <= bound ? "<=" : ">", 100 * bound)));
        }
        if (p != null && t.maxRelativeDecrease() != null) {
            double pv = p.metric(metric, comp);
            double rel = relative(pv - cv, pv);
            double bound = t.maxRelativeDecrease();
            checks.add(new GateCheck(comp + "." + metric + ".relativeDecrease", rel <= bound, rel, bound,
                    String.format(Locale.ROOT, "candidate %s %s %.4f vs production %.4f: relative decrease %+.2f%% %s max %+.2f%%",
                            comp, label, cv, pv, 100 * rel, rel <= bound ? "<=" : ">", 100 * bound)));
        }
        return checks;
    }

    private static double relative(double change, double base) {
        return base == 0 ? (change == 0 ? 0 : change > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY) : change / Math.abs(base);
    }

    private static GateCheck bootstrapCheck(GateConfig.Bootstrap b, String comp, ComponentScores c, ComponentScores p,
            Map<String, PairedBootstrap.Interval> boot) {
        String metric = b.metric() != null ? b.metric() : c.primaryMetric();
        if (metric == null || !c.perExample().containsKey(metric) || !p.perExample().containsKey(metric)) {
            throw new IllegalArgumentException("component " + comp + " has no per-example metric '" + metric
                    + "' for the paired bootstrap (it has " + c.perExample().keySet() + "); set 'bootstrap.metric'");
        }
        PairedBootstrap.Interval ci = PairedBootstrap.difference(metric, c, p, b.samples(), b.confidence(), b.seed());
        boot.put(comp, ci);
        String label = metric.toUpperCase(Locale.ROOT);
        boolean ok;
        double value;
        double bound;
        String side;
        if (b.higherIsBetter()) {
            value = ci.lower();
            bound = -b.margin();
            ok = value >= bound;
            side = "lower bound " + (ok ? ">=" : "<") + " -margin";
        } else {
            value = ci.upper();
            bound = b.margin();
            ok = value <= bound;
            side = "upper bound " + (ok ? "<=" : ">") + " margin";
        }
        return new GateCheck(comp + "." + metric + (b.higherIsBetter() ? ".bootstrapLower" : ".bootstrapUpper"), ok, value, bound,
                String.format(Locale.ROOT, "%s(candidate) - %s(production) = %+.4f, %.0f%% CI [%+.4f, %+.4f] over %d examples"
                                + " (%d paired resamples): %s %+.4f",
                        label, label, ci.observed(), 100 * ci.confidence(), ci.lower(), ci.upper(), ci.words(), ci.samples(),
                        side, b.higherIsBetter() ? -b.margin() : b.margin()));
    }
}
