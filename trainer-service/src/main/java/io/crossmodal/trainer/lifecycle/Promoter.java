package io.crossmodal.trainer.lifecycle;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.lifecycle.DecisionRecord;
import io.crossmodal.lifecycle.gate.Gate;
import io.crossmodal.lifecycle.gate.GateCheck;
import io.crossmodal.lifecycle.gate.GateConfig;
import io.crossmodal.lifecycle.LifecycleConflictException;
import io.crossmodal.lifecycle.Lineage;
import io.crossmodal.lifecycle.ModelLifecycle;
import io.crossmodal.lifecycle.gate.PairedBootstrap;
import io.crossmodal.lifecycle.gate.ComponentScores;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.family.TrainingFamilies;
import io.crossmodal.trainer.family.TrainingFamily;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * {@code promote}: evaluates a candidate version and the current production version on the
 * candidate's frozen test split (re-created from its lineage, fingerprint checked) with the same
 * settings, through the candidate's model family ({@link TrainingFamily#gateEvaluation}), applies
 * the gate to whatever metrics the family reports, writes the decision record and moves
 * {@code production} only if every check passed.
 */
public final class Promoter {
    private static final Logger LOG = Logger.getLogger(Promoter.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private Promoter() {}

    /**
     * @param registry     registry directory
     * @param model        model name
     * @param candidateRef version number, {@code latest} or alias ({@code candidate})
     * @param gate         the gate
     * @param gateSource   where the gate came from (file path or "trainer-api"), recorded in the decision
     * @param actor        who asks
     * @return the decision as recorded (promoted or refused)
     */
    public static DecisionRecord promote(Path registry, String model, String candidateRef, GateConfig gate, String gateSource,
            String actor) throws IOException {
        ModelLifecycle lc = new ModelLifecycle(registry);
        int candidate = lc.registry().resolve(model, candidateRef);
        Optional<Integer> production = lc.alias(model, ModelLifecycle.PRODUCTION);
        if (production.isPresent() && production.get() == candidate) {
            throw new LifecycleConflictException("version " + candidate + " of " + model + " is already production");
        }
        Bundle cand = lc.registry().load(model, Integer.toString(candidate));
        Lineage lineage = lc.lineage(model, candidate);
        JobConfig cfg = JobConfig.parseRecorded(JSON.writeValueAsString(lineage.jobConfig()));
        List<String> components = components(gate, cand, TrainingFamilies.require(cfg.family()));
        Bundle prod = null;
        if (production.isPresent()) {
            prod = lc.registry().load(model, Integer.toString(production.get()));
            for (String c : components) {
                if (!prod.manifest().components().containsKey(c)) {
                    throw new IllegalArgumentException("production " + model + "/" + production.get() + " has no component '" + c
                            + "' to compare with; name the gated components in the gate file's 'components'");
                }
            }
        }

        TrainingFamily family = TrainingFamilies.require(cfg.family());
        TrainingFamily.GateEvaluation evaluation = family.gateEvaluation(cfg, lineage, gate);
        Map<String, ComponentScores> candScores = new LinkedHashMap<>();
        Map<String, ComponentScores> prodScores = prod == null ? null : new LinkedHashMap<>();
        for (String c : components) {
            candScores.put(c, evaluation.score(cand, c));
            if (prod != null) {
                prodScores.put(c, evaluation.score(prod, c));
            }
        }
        Gate.Result result = Gate.evaluate(gate, candScores, prodScores);

        Instant now = Instant.now();
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("candidateRef", candidateRef);
        inputs.put("gateSource", gateSource);
        inputs.put("gate", gate.toMap());
        inputs.put("components", components);
        inputs.put("family", family.name());
        inputs.put("testSplit", evaluation.testSet());
        inputs.put("evaluation", evaluation.settings());
        inputs.put("candidateSourceCommit", lineage.sourceCommit());
        if (prod != null) {
            Lineage pl = lc.lineage(model, production.get());
            boolean same = evaluation.fingerprint().equals(pl.dataFingerprint().get("split"));
            inputs.put("productionSourceCommit", pl.sourceCommit());
            inputs.put("productionTrainedOnSameSplit", same);
            if (!same) {
                LOG.warnf("production %s/%d was trained on another split (%s); its test numbers on the candidate's split may"
                        + " be optimistic if it saw some of these examples in training", model, production.get(),
                        pl.dataFingerprint().get("split"));
            }
        }
        String decision = result.passed() ? DecisionRecord.PROMOTED : DecisionRecord.REFUSED;
        String summary = summary(model, candidate, production.orElse(null), result);
        DecisionRecord d = new DecisionRecord(DecisionRecord.SCHEMA, DecisionRecord.newId(now, DecisionRecord.PROMOTE, candidate),
                DecisionRecord.PROMOTE, decision, model, ModelLifecycle.PRODUCTION, candidate, production.orElse(null), actor,
                now.toString(), inputs, result.candidateMetrics(), result.productionMetrics(), result.bootstrap(),
                result.checks(), summary);
        return lc.commitPromotion(d);
    }

    private static List<String> components(GateConfig gate, Bundle cand, TrainingFamily family) {
        List<String> out = new ArrayList<>();
        if (gate.components().isEmpty()) {
            out.addAll(family.gatedComponents(cand));
        } else {
            for (String c : gate.components()) {
                if (!cand.manifest().components().containsKey(c)) {
                    throw new IllegalArgumentException("the gate names component '" + c + "' but candidate " + cand.model() + "/"
                            + cand.version() + " has only " + cand.manifest().components().keySet());
                }
                out.add(c);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("candidate " + cand.model() + "/" + cand.version() + " has no " + family.name() + " component to gate");
        }
        return out;
    }

    static String summary(String model, int candidate, Integer production, Gate.Result r) {
        long failed = r.checks().stream().filter(c -> !c.passed()).count();
        return String.format(Locale.ROOT, "%s %s/%d %s production (was %s): %d of %d gate checks passed%s",
                r.passed() ? "PROMOTED" : "REFUSED", model, candidate, r.passed() ? "to" : "as",
                production == null ? "none" : Integer.toString(production), r.checks().size() - failed, r.checks().size(),
                failed == 0 ? "" : "; failed: " + String.join(", ", r.failed().stream().map(GateCheck::name).toList()));
    }

    /** A readable report of a decision: metrics side by side, every check with its numbers, the outcome. */
    public static String render(DecisionRecord d) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "decision %s%n", d.id()));
        sb.append(String.format(Locale.ROOT, "  model %s, candidate version %d, production version %s, actor %s%n", d.model(),
                d.candidateVersion(), d.productionVersion() == null ? "none" : d.productionVersion(), d.actor()));
        for (Map.Entry<String, Map<String, Object>> e : d.candidateMetrics().entrySet()) {
            Map<String, Object> p = d.productionMetrics() == null ? null : d.productionMetrics().get(e.getKey());
            sb.append(String.format(Locale.ROOT, "  %-4s candidate %s", e.getKey(), metrics(e.getValue())));
            if (p != null) {
                sb.append(" | production ").append(metrics(p));
            }
            sb.append(System.lineSeparator());
            PairedBootstrap.Interval ci = d.bootstrap().get(e.getKey());
            if (ci != null) {
                String metric = ci.metric() == null ? "PER" : ci.metric().toUpperCase(Locale.ROOT);
                sb.append(String.format(Locale.ROOT, "       %s difference %+.4f, %.0f%% paired bootstrap CI [%+.4f, %+.4f]%n",
                        metric, ci.observed(), 100 * ci.confidence(), ci.lower(), ci.upper()));
            }
        }
        for (GateCheck c : d.checks()) {
            sb.append(String.format(Locale.ROOT, "  [%s] %-28s %s%n", c.passed() ? "pass" : "FAIL", c.name(), c.detail()));
        }
        sb.append("  ").append(d.summary()).append(System.lineSeparator());
        return sb.toString();
    }

    /** "PER 12.34%  WER 45.67%  (5000 words)": fractions as percentages, counts as integers. */
    private static String metrics(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder();
        StringBuilder counts = new StringBuilder();
        m.forEach((name, v) -> {
            double x = v instanceof Number n ? n.doubleValue() : Double.NaN;
            if (x == Math.rint(x) && Math.abs(x) > 1) {
                counts.append(counts.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%d %s", (long) x, name));
            } else {
                sb.append(String.format(Locale.ROOT, "%s %6.2f%%  ", name.toUpperCase(Locale.ROOT), 100 * x));
            }
        });
        return sb.toString().trim() + (counts.length() == 0 ? "" : "  (" + counts + ")");
    }
}
