package io.crossmodal.lifecycle.gate;

import static io.crossmodal.lifecycle.gate.PairedBootstrapTest.scores;
import static io.crossmodal.lifecycle.gate.PairedBootstrapTest.words;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GateTest {

    static final String GATE = """
            {"metrics": {"per": {"max": 0.30, "maxRelativeIncrease": 0.02},
                         "wer": {"max": 0.80, "maxRelativeIncrease": 0.05}},
             "bootstrap": {"samples": 500, "confidence": 0.95, "seed": 7, "margin": 0.01}}""";

    static GateConfig gate() {
        return GateConfig.parse(GATE, "test");
    }

    static GateCheck check(Gate.Result r, String name) {
        return r.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name));
    }

    @Test
    void parsesEveryField() {
        GateConfig g = GateConfig.parse("""
                {"components": ["g2p"], "metrics": {"per": {"max": 0.5}}, "beamWidth": 3,
                 "bootstrap": {"samples": 1000, "confidence": 0.9, "seed": 42, "margin": 0.005}}""", "x");
        assertEquals(List.of("g2p"), g.components());
        assertEquals(0.5, g.metrics().get("per").max());
        assertNull(g.metrics().get("per").maxRelativeIncrease());
        assertEquals(new GateConfig.Bootstrap(1000, 0.9, 42, 0.005), g.bootstrap());
        assertEquals(3, g.beamWidth());
        // defaults
        GateConfig d = GateConfig.parse("{\"metrics\": {\"wer\": {\"maxRelativeIncrease\": 0}}}", "x");
        assertEquals(new GateConfig.Bootstrap(1000, 0.95, 7, 0.0), d.bootstrap());
        assertTrue(d.components().isEmpty());
    }

    @Test
    void malformedGateFilesNameTheField() {
        Map<String, String> cases = Map.of(
                "{\"metrics\": {\"per\": {\"max\": \"low\"}}}", "'metrics.per.max' must be a number",
                "{\"metrics\": {\"per\": {\"maxx\": 0.1}}}", "unknown field 'metrics.per.maxx'",
                "{\"metrics\": {\"1cer\": {\"max\": 0.1}}}", "invalid metric name 'metrics.1cer'",
                "{\"metrics\": {\"per\": {\"max\": 0.1}}, \"bootstrap\": {\"confidence\": 1.5}}", "'bootstrap.confidence'",
                "{\"metrics\": {\"per\": {\"max\": 0.1}}, \"bootstrap\": {\"samples\": 10.5}}", "'bootstrap.samples'",
                "{\"metrics\": {\"per\": {\"max\": 0.1}}, \"treshold\": 1}", "unknown field 'treshold'",
                "{\"bootstrap\": {}}", "'metrics' is required",
                "{\"metrics\": {\"per\": {}}}", "sets neither 'max' nor 'maxRelativeIncrease'",
                "{\"metrics\": {\"per\": {\"max\": -1}}}", "'metrics.per.max' must be in",
                "{\"metrics\": ", "not valid JSON");
        cases.forEach((json, expected) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GateConfig.parse(json, "gate.json"), json);
            assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("gate.json"), e.getMessage());
        });
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GateConfig.read(java.nio.file.Path.of("/no/such/gate.json")))
                .getMessage().contains("not found"));
    }

    @Test
    void withoutProductionOnlyTheAbsoluteThresholdsApply() {
        // 100 words of 4 symbols, 1 error on every 5th word: PER 0.05, WER 0.2
        Gate.Result ok = Gate.evaluate(gate(), Map.of("g2p", scores(words(100, 4, i -> i % 5 == 0 ? 1 : 0))), null);
        assertTrue(ok.passed(), ok.checks().toString());
        assertEquals(List.of("g2p.per.max", "g2p.wer.max"), ok.checks().stream().map(GateCheck::name).sorted().toList());
        assertNull(ok.productionMetrics());
        assertEquals(0.05, (double) ok.candidateMetrics().get("g2p").get("per"), 1e-12);

        // PER 0.5 > 0.30: refused, and the failing check carries the numbers
        Gate.Result bad = Gate.evaluate(gate(), Map.of("g2p", scores(words(100, 4, i -> 2))), null);
        assertFalse(bad.passed());
        GateCheck per = check(bad, "g2p.per.max");
        assertFalse(per.passed());
        assertEquals(0.5, per.value(), 1e-12);
        assertEquals(0.30, per.threshold());
        assertTrue(per.detail().contains("0.5000 > max 0.3000"), per.detail());
        assertTrue(check(bad, "g2p.wer.max").passed() == false);
    }

    @Test
    void anEqualCandidatePassesAndAWorseOneIsRefused() {
        List<PairedBootstrapTest.Word> prod = words(200, 4, i -> i % 5 == 0 ? 1 : 0);
        Gate.Result same = Gate.evaluate(gate(), Map.of("g2p", scores(prod)), Map.of("g2p", scores(prod)));
        assertTrue(same.passed(), same.failed().toString());
        assertEquals(0.0, check(same, "g2p.per.bootstrapUpper").value());
        assertEquals(0.0, check(same, "g2p.per.relativeIncrease").value());

        // worse on every 10th word by one symbol: PER 0.05 -> 0.075 (+50 %), bootstrap upper bound well above 0.01
        List<PairedBootstrapTest.Word> worse = words(200, 4, i -> (i % 5 == 0 ? 1 : 0) + (i % 10 == 1 ? 1 : 0));
        Gate.Result r = Gate.evaluate(gate(), Map.of("g2p", scores(worse)), Map.of("g2p", scores(prod)));
        assertFalse(r.passed());
        assertTrue(check(r, "g2p.per.max").passed());
        GateCheck rel = check(r, "g2p.per.relativeIncrease");
        assertFalse(rel.passed());
        assertEquals(0.5, rel.value(), 1e-12);
        GateCheck boot = check(r, "g2p.per.bootstrapUpper");
        assertFalse(boot.passed());
        assertTrue(boot.value() > 0.01 && r.bootstrap().get("g2p").lower() > 0, r.bootstrap().toString());
        assertEquals(0.025, r.bootstrap().get("g2p").observed(), 1e-12);

        // better on PER: passes
        List<PairedBootstrapTest.Word> better = words(200, 4, i -> i % 10 == 0 ? 1 : 0);
        assertTrue(Gate.evaluate(gate(), Map.of("g2p", scores(better)), Map.of("g2p", scores(prod))).passed());
    }

    @Test
    void aSmallNoisyDifferenceFailsTheBootstrapButNotTheThresholds() {
        // relative thresholds loose, bootstrap margin 0: a candidate that is worse on 1 word in 400 cannot be shown not worse
        GateConfig g = GateConfig.parse("""
                {"metrics": {"per": {"max": 1, "maxRelativeIncrease": 0.5}},
                 "bootstrap": {"samples": 500, "confidence": 0.95, "seed": 7, "margin": 0}}""", "t");
        List<PairedBootstrapTest.Word> prod = words(400, 4, i -> i % 4 == 0 ? 1 : 0);
        List<PairedBootstrapTest.Word> cand = words(400, 4, i -> (i % 4 == 0 ? 1 : 0) + (i == 1 ? 1 : 0));
        Gate.Result r = Gate.evaluate(g, Map.of("g2p", scores(cand)), Map.of("g2p", scores(prod)));
        assertTrue(check(r, "g2p.per.relativeIncrease").passed());
        assertFalse(check(r, "g2p.per.bootstrapUpper").passed());
        assertFalse(r.passed());
    }

    @Test
    void metricNamesAreWhatTheFamilyReports() {
        // a metric the component does not report is an error naming the ones it does
        GateConfig cer = GateConfig.parse("{\"metrics\": {\"cer\": {\"max\": 0.1}}}", "t");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gate.evaluate(cer, Map.of("g2p", scores(words(10, 4, i -> 0))), null));
        assertTrue(e.getMessage().contains("no metric 'cer'") && e.getMessage().contains("per"), e.getMessage());

        // a qualified name applies to its component only; one naming an ungated component is an error
        GateConfig qualified = GateConfig.parse("{\"metrics\": {\"g2p.per\": {\"max\": 0.1}, \"wer\": {\"max\": 0.9}}}", "t");
        Gate.Result r = Gate.evaluate(qualified, new java.util.LinkedHashMap<>(Map.of("g2p", scores(words(10, 4, i -> 1)),
                "p2g", scores(words(10, 4, i -> 1)))), null);
        assertEquals(List.of("g2p.per.max", "g2p.wer.max", "p2g.wer.max"), r.checks().stream().map(GateCheck::name).sorted().toList());
        assertFalse(check(r, "g2p.per.max").passed());
        GateConfig typo = GateConfig.parse("{\"metrics\": {\"g2q.per\": {\"max\": 0.1}}}", "t");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Gate.evaluate(typo, Map.of("g2p", scores(words(10, 4, i -> 0))), null)).getMessage().contains("g2q"));
    }

    @Test
    void higherIsBetterMetricsUseMinAndTheLowerBootstrapBound() {
        // "wer" read as an accuracy-like metric here: the bounds are mirrored
        GateConfig g = GateConfig.parse("""
                {"metrics": {"wer": {"min": 0.5, "maxRelativeDecrease": 0.1}},
                 "bootstrap": {"samples": 300, "metric": "wer", "higherIsBetter": true, "margin": 0.01}}""", "t");
        List<PairedBootstrapTest.Word> prod = words(200, 4, i -> i % 2 == 0 ? 1 : 0);   // 0.5
        List<PairedBootstrapTest.Word> lower = words(200, 4, i -> i % 4 == 0 ? 1 : 0);  // 0.25
        Gate.Result r = Gate.evaluate(g, Map.of("g2p", scores(lower)), Map.of("g2p", scores(prod)));
        assertFalse(check(r, "g2p.wer.min").passed());
        assertEquals(0.5, check(r, "g2p.wer.relativeDecrease").value(), 1e-12);
        assertFalse(check(r, "g2p.wer.bootstrapLower").passed());
        assertTrue(Gate.evaluate(g, Map.of("g2p", scores(prod)), Map.of("g2p", scores(prod))).passed());
    }
}
