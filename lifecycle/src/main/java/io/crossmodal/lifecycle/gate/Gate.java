package io.crossmodal.lifecycle.gate;

import io.crossmodal.family.seq2seq.eval.ErrorRates;
import io.crossmodal.family.seq2seq.eval.WordScore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Applies a {@link GateConfig} to per-word scores of the candidate and (if there is one) the
 * current production version on the same test words. With no production only the absolute
 * thresholds apply; with one, also the relative increases and the paired-bootstrap bound on
 * PER(candidate) - PER(production). The gate passes only if every check passes.
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
     * @param candidate  per-word scores of the candidate, by component
     * @param production per-word scores of production on the same words, by component; null if there is no production
     */
    public static Result evaluate(GateConfig gate, Map<String, List<WordScore>> candidate,
            Map<String, List<WordScore>> production) {
        if (candidate.isEmpty()) {
            throw new IllegalArgumentException("nothing to gate: no component was evaluated");
        }
        List<GateCheck> checks = new ArrayList<>();
        Map<String, Map<String, Object>> cm = new LinkedHashMap<>();
        Map<String, Map<String, Object>> pm = new LinkedHashMap<>();
        Map<String, PairedBootstrap.Interval> boot = new LinkedHashMap<>();
        for (Map.Entry<String, List<WordScore>> e : candidate.entrySet()) {
            String comp = e.getKey();
            ErrorRates c = ErrorRates.of(e.getValue());
            cm.put(comp, metrics(c));
            ErrorRates p = null;
            if (production != null) {
                List<WordScore> ps = production.get(comp);
                if (ps == null) {
                    throw new IllegalArgumentException("production was not evaluated on component " + comp);
                }
                p = ErrorRates.of(ps);
                pm.put(comp, metrics(p));
            }
            for (Map.Entry<String, GateConfig.Threshold> t : gate.metrics().entrySet()) {
                String metric = t.getKey();
                double cv = value(c, metric);
                if (t.getValue().max() != null) {
                    double max = t.getValue().max();
                    checks.add(new GateCheck(comp + "." + metric + ".max", cv <= max, cv, max,
                            String.format(Locale.ROOT, "candidate %s %s %.4f %s max %.4f", comp, metric.toUpperCase(Locale.ROOT),
                                    cv, cv <= max ? "<=" : ">", max)));
                }
                if (p != null && t.getValue().maxRelativeIncrease() != null) {
                    double pv = value(p, metric);
                    double rel = pv == 0 ? (cv == 0 ? 0 : Double.POSITIVE_INFINITY) : (cv - pv) / pv;
                    double bound = t.getValue().maxRelativeIncrease();
                    checks.add(new GateCheck(comp + "." + metric + ".relativeIncrease", rel <= bound, rel, bound,
                            String.format(Locale.ROOT, "candidate %s %s %.4f vs production %.4f: relative change %+.2f%% %s max %+.2f%%",
                                    comp, metric.toUpperCase(Locale.ROOT), cv, pv, 100 * rel, rel <= bound ? "<=" : ">", 100 * bound)));
                }
            }
            if (production != null) {
                GateConfig.Bootstrap b = gate.bootstrap();
                PairedBootstrap.Interval ci = PairedBootstrap.perDifference(e.getValue(), production.get(comp), b.samples(),
                        b.confidence(), b.seed());
                boot.put(comp, ci);
                boolean ok = ci.upper() <= b.margin();
                checks.add(new GateCheck(comp + ".per.bootstrapUpper", ok, ci.upper(), b.margin(),
                        String.format(Locale.ROOT, "PER(candidate) - PER(production) = %+.4f, %.0f%% CI [%+.4f, %+.4f] over %d words"
                                        + " (%d paired resamples): upper bound %s margin %+.4f",
                                ci.observed(), 100 * ci.confidence(), ci.lower(), ci.upper(), ci.words(), ci.samples(),
                                ok ? "<=" : ">", b.margin())));
            }
        }
        boolean passed = checks.stream().allMatch(GateCheck::passed);
        return new Result(passed, List.copyOf(checks), cm, production == null ? null : pm, boot);
    }

    private static double value(ErrorRates r, String metric) {
        return switch (metric) {
            case "per" -> r.per();
            case "wer" -> r.wer();
            default -> throw new IllegalArgumentException("unknown metric " + metric);
        };
    }

    private static Map<String, Object> metrics(ErrorRates r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("per", r.per());
        m.put("wer", r.wer());
        m.put("words", r.words());
        m.put("phonemeErrors", r.phonemeErrors());
        m.put("referenceLength", r.referenceLength());
        return m;
    }
}
